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


# The attributes of a DynamoDB key read from the table or from an index: what a
# LastEvaluatedKey holds, and so what a token must hold, exactly.
INDEX_KEYS = {
    None: ("pk", "sk"),
    "gsi1": ("gsi1pk", "gsi1sk", "pk", "sk"),
    "gsi2": ("gsi2pk", "gsi2sk", "pk", "sk"),
}


def decode_token(token: str) -> dict[str, Any]:
    """The key a token holds, whatever list it came from: a JSON object of strings."""
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise BadTokenError() from None
    if not isinstance(key, dict) or not all(
        isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str)
        for value in key.values()
    ):
        raise BadTokenError()
    return key


def start_key(
    token: str | None, index: str | None, partition: str, sort_prefix: str = ""
) -> dict[str, Any] | None:
    """The ExclusiveStartKey of a list read from ``index`` (None: the table) in
    ``partition``, its sort keys starting with ``sort_prefix``.

    Every list decodes its ``next_token`` here: a token from another list (or one
    missing a key attribute) names no position in this one, and DynamoDB would
    refuse it or start elsewhere, so it is refused as one this API did not give.
    """
    if token is None:
        return None
    key = decode_token(token)
    partition_key, sort_key = INDEX_KEYS[index][:2]
    if (
        set(key) != set(INDEX_KEYS[index])
        or key[partition_key]["S"] != partition
        or not key[sort_key]["S"].startswith(sort_prefix)
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
