"""Turning an HTTP request into a webhook payload, or a 4xx that says why not."""

import base64
import binascii
import json
from typing import Any

from banksync.api_errors import ApiError

MAX_BODY_BYTES = 256 * 1024


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
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(
            413,
            "payload_too_large",
            f"body must be at most {MAX_BODY_BYTES} bytes",
            {"body": f"{len(body)} bytes is over the limit"},
        )
    if not is_json_media_type(content_type):
        raise ApiError(
            400,
            "unsupported_content_type",
            "content-type must be application/json",
            {"content-type": f"got {content_type or 'nothing'}"},
        )
    if not body.strip():
        raise ApiError(400, "empty_body", "body is empty", {"body": "a JSON object is required"})
    try:
        text = body.decode("utf-8")
        payload = json.loads(text)
    except UnicodeDecodeError:
        raise ApiError(
            400, "invalid_json", "body is not UTF-8", {"body": "JSON must be UTF-8 encoded"}
        ) from None
    except json.JSONDecodeError as error:
        raise ApiError(400, "invalid_json", "body is not valid JSON", {"body": error.msg}) from None
    if not isinstance(payload, dict):
        kind = "array" if isinstance(payload, list) else type(payload).__name__
        raise ApiError(
            400, "not_an_object", "body must be a JSON object", {"body": f"got a JSON {kind}"}
        )
    return payload, text


def request_body(body: str | None, is_base64_encoded: bool) -> bytes:
    """The body's bytes; API Gateway base64-encodes bodies it does not take for text.

    Not Powertools' ``decoded_body``: it returns text, and the size limit and
    the UTF-8 check need the bytes as they arrived.
    """
    if not body:
        return b""
    if not is_base64_encoded:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error:
        raise ApiError(
            400, "invalid_body", "body is not valid base64", {"body": "bad base64 encoding"}
        ) from None
