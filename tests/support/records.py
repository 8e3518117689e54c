"""The stream records' documented shapes (schemas/records/), and checking images against them.

Each schema names the table it belongs to (``x-table``), that table's stream
view type (``x-stream-view-type``) and the key attributes that identify its
item type (``x-key``): an image belongs to a schema when those attributes
match the schema's own rules for them.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from jsonschema import Draft202012Validator

from banksync.dynamo import from_item
from devstack.streams import StreamPump
from devstack.template import StackTemplate

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "records"
TABLES = ("DataTable", "EventsTable")


@dataclass(frozen=True)
class RecordSchema:
    entity: str
    document: dict[str, Any]

    @property
    def table(self) -> str:
        return str(self.document["x-table"])

    @property
    def validator(self) -> Draft202012Validator:
        return Draft202012Validator(
            self.document, format_checker=Draft202012Validator.FORMAT_CHECKER
        )

    def claims(self, image: dict[str, Any]) -> bool:
        """Whether ``image`` is of this item type: its key attributes fit the schema's."""
        key = self.document["x-key"]
        rules = {name: self.document["properties"][name] for name in key}
        claim = Draft202012Validator({"type": "object", "properties": rules, "required": key})
        # Item types that share a key space (a row and its tombstone) tell by entity.
        entity = self.document["properties"].get("entity", {}).get("const")
        if entity and "entity" in image and image["entity"] != entity:
            return False
        return bool(claim.is_valid(image))

    def problems(self, image: dict[str, Any]) -> list[str]:
        return [
            f"{'/'.join(map(str, error.absolute_path)) or '(item)'}: {error.message}"
            for error in self.validator.iter_errors(image)
        ]


def record_schemas() -> list[RecordSchema]:
    return [
        RecordSchema(path.name.removesuffix(".schema.json"), json.loads(path.read_text()))
        for path in sorted(SCHEMAS.glob("*.schema.json"))
    ]


@dataclass(frozen=True)
class Image:
    table: str
    event: str  # INSERT, MODIFY, REMOVE
    which: str  # NewImage, OldImage
    values: dict[str, Any]


class StreamImages:
    """Every image written to the stack's streams from now on, deserialised."""

    def __init__(self, aws: boto3.Session, stack: StackTemplate) -> None:
        self._pumps = {
            table: StreamPump(aws, stack.attributes[f"{table}.StreamArn"], start_at_latest=True)
            for table in TABLES
        }

    def read(self) -> list[Image]:
        return list(self._images())

    def _images(self) -> Iterator[Image]:
        for table, pump in self._pumps.items():
            records = pump.poll()
            for index, record in enumerate(records):
                if _moto_key_only_insert(record, records[index + 1 :]):
                    continue
                for which in ("NewImage", "OldImage"):
                    if which in record["dynamodb"]:
                        values = from_item(record["dynamodb"][which])
                        yield Image(table, record["eventName"], which, values)


def _moto_key_only_insert(record: dict[str, Any], later: list[dict[str, Any]]) -> bool:
    """moto's UpdateItem on a new item (alone or in a transaction) puts its bare key
    first and streams that put as an INSERT of its own, before the INSERT of the item;
    DynamoDB streams one INSERT."""
    keys = record["dynamodb"]["Keys"]
    if record["eventName"] != "INSERT" or record["dynamodb"].get("NewImage") != keys:
        return False
    same = (r for r in later if r["dynamodb"]["Keys"] == keys)
    return next((r["eventName"] for r in same), None) == "INSERT"
