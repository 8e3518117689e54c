"""Plain Python values ↔ DynamoDB attribute values, through boto3's own serializers.

Floats from provider JSON become Decimals on the way in (DynamoDB numbers are
exact); Decimals come back as int or float.
"""

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    exact = json.loads(json.dumps(values), parse_float=Decimal)
    return {key: _serializer.serialize(value) for key, value in exact.items() if value is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: plain(_deserializer.deserialize(value)) for key, value in item.items()}


def plain(value: Any) -> Any:
    """Decimals (as boto3 and stream images give numbers) as int or float, all the way down."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | set):
        return [plain(item) for item in value]
    return value


# DynamoDB's most keys in one BatchGetItem.
BATCH_GET_KEYS = 100


def get_many(
    client: Any, table: str, keys: list[dict[str, Any]], consistent: bool = True
) -> list[dict[str, Any]]:
    """The items stored under ``keys`` (attribute values, as from an index's keys-only
    entries), the absent left out, in no set order; keys DynamoDB leaves unprocessed
    are asked for again until none are left."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), BATCH_GET_KEYS):
        request: dict[str, Any] = {
            table: {"Keys": keys[start : start + BATCH_GET_KEYS], "ConsistentRead": consistent}
        }
        while request:
            answer = client.batch_get_item(RequestItems=request)
            found += [from_item(raw) for raw in answer["Responses"].get(table, [])]
            request = answer.get("UnprocessedKeys") or {}
    return found


def conditional(write: Callable[[], object]) -> bool:
    """Make one conditional write; False if its condition did not hold (any other
    failure is raised). The idiom of every "only if" write in the tables."""
    try:
        write()
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
