"""Reading a JSON request body, or a 400 that says what is wrong with it."""

import json
from typing import Any

from banksync.api_errors import ApiError


def json_object(body: str | None) -> dict[str, Any]:
    if not body or not body.strip():
        raise ApiError(400, "empty_body", "a JSON object body is required", {"body": "empty"})
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError as error:
        raise ApiError(400, "invalid_json", "body is not valid JSON", {"body": error.msg}) from None
    if not isinstance(parsed, dict):
        raise ApiError(
            400, "not_an_object", "body must be a JSON object", {"body": "not an object"}
        )
    return parsed
