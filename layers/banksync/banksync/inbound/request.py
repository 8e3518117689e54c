"""Turning an HTTP request into a webhook payload, or a 4xx that says why not."""

from typing import Any

from banksync.api.bodies import MAX_BODY_BYTES, check_size, json_object
from banksync.api.bodies import event_body as request_body
from banksync.api_errors import ApiError

__all__ = ["MAX_BODY_BYTES", "bearer_token", "parse_json_object", "request_body"]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if there is one."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def is_json_media_type(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def parse_json_object(body: bytes, content_type: str | None) -> tuple[dict[str, Any], str]:
    """The body as a JSON object and as the verbatim text it arrived in."""
    check_size(body)
    if not is_json_media_type(content_type):
        raise ApiError(
            400,
            "unsupported_content_type",
            "content-type must be application/json",
            {"content-type": f"got {content_type or 'nothing'}"},
        )
    return json_object(body)
