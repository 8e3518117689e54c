"""Mono's v2 answer envelope: ``status``, ``message``, ``timestamp``, ``data`` (and
``meta`` on lists), for successes and failures alike."""

from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify

MESSAGES = {
    400: "Bad request",
    401: "Unauthorized",
    404: "Not found",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


def iso(at: float) -> str:
    """An instant as Mono writes it: ISO-8601 UTC with milliseconds and a ``Z``."""
    moment = datetime.fromtimestamp(at, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def successful(
    at: float,
    data: Any,
    message: str = "Request was successfully completed",
    meta: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"status": "successful", "message": message, "timestamp": iso(at)}
    body["data"] = data
    if meta is not None:
        body["meta"] = meta
    response = jsonify(body)
    response.headers.update(headers or {})
    return response


def failed(
    at: float, status: int, message: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """A failed answer: the envelope with ``status: failed`` and ``data: null``."""
    text = message or MESSAGES.get(status, "Request failed")
    response = jsonify(status="failed", message=text, timestamp=iso(at), data=None)
    response.status_code = status
    response.headers.update(headers or {})
    return response
