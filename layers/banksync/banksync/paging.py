"""Opaque ``next_token`` values for the API's lists: a DynamoDB key, base64-encoded JSON.

A token is checked on the way back in (its shape, and the partition it
belongs to), so a forged or foreign one is a 400, never a scan elsewhere.
"""

import base64
import json
from typing import Any


class BadTokenError(ValueError):
    def __init__(self) -> None:
        super().__init__("next_token is not one this API gave")


def encode_token(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode_token(token: str, required: frozenset[str] = frozenset({"pk", "sk"})) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise BadTokenError() from None
    if (
        not isinstance(key, dict)
        or not required <= set(key)
        or not all(isinstance(value, dict) and set(value) == {"S"} for value in key.values())
    ):
        raise BadTokenError()
    return key


def between(partition: str, since: str | None, until: str | None) -> tuple[str, dict[str, str]]:
    """The gsi1 key condition for a partition's sort keys in [since, until).

    gsi1 sort keys are ``<time>#<id>``, so a bare ``until`` time sorts before every
    key of that moment: ``BETWEEN`` (and ``<=``) on it already leave ``until`` out,
    and ``since`` takes in every key from its moment on.
    """
    condition, values = "gsi1pk = :pk", {":pk": partition}
    if since:
        values[":since"] = since
    if until:
        values[":until"] = until
    if since and until:
        condition += " AND gsi1sk BETWEEN :since AND :until"
    elif since:
        condition += " AND gsi1sk >= :since"
    elif until:
        condition += " AND gsi1sk <= :until"
    return condition, values
