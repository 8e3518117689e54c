"""DynamoDB capacity as DynamoDB bills it, counted on the clients a test points at moto.

A write costs one unit per KB of the larger of the item before and after it
(at least one), also when its condition fails; in a TransactWriteItems every
write costs twice. A read costs one unit per 4 KB of the whole item (a
projection does not make it cheaper), half when eventually consistent. Item
sizes come from moto's own table, read beside the request.
"""

import copy
import json
import math
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType

WRITE_KB, READ_KB = 1024, 4096
SINGLE_WRITES = ("PutItem", "UpdateItem", "DeleteItem")
# What a key is, by its sort key's prefix (first match wins).
KINDS = (
    ("TXN#", "transaction"),
    ("CHANGE#", "feed entry"),
    ("CHANGES", "feed head"),
    ("ITEM#", "refresh item"),
    ("BALANCE#LATEST", "balance latest"),
    ("BALANCE#", "balance history"),
    ("PROFILE", "account profile"),
    ("RUN", "refresh run"),
    ("WINDOW#", "budget window"),
)


def kind_of(key: dict[str, Any]) -> str:
    sk = str(key.get("sk", {}).get("S", ""))
    return next((name for prefix, name in KINDS if sk.startswith(prefix)), "other")


class CapacityMeter:
    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region
        self.write_units: defaultdict[str, float] = defaultdict(float)  # by kind of item
        self.read_units: defaultdict[str, float] = defaultdict(float)
        self.requests: Counter[str] = Counter()  # "<operation> <kind>"
        self._pending = threading.local()

    @property
    def writes(self) -> float:
        return float(sum(self.write_units.values()))

    @property
    def reads(self) -> float:
        return float(sum(self.read_units.values()))

    def written(self, kind: str) -> int:
        """Requests (or transaction actions) that wrote an item of ``kind``."""
        return sum(n for name, n in self.requests.items() if name.endswith(f" {kind}"))

    def reset(self) -> None:
        self.write_units.clear()
        self.read_units.clear()
        self.requests.clear()

    @contextmanager
    def watching(self, *clients: Any) -> Iterator["CapacityMeter"]:
        unique = list({id(c): c for c in clients}.values())
        for client in unique:
            client.meta.events.register("before-parameter-build.dynamodb", self._before)
            client.meta.events.register("after-call.dynamodb", self._after)
        try:
            yield self
        finally:
            for client in unique:
                client.meta.events.unregister("before-parameter-build.dynamodb", self._before)
                client.meta.events.unregister("after-call.dynamodb", self._after)

    def _before(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        operation = model.name
        writes: list[tuple[str, dict[str, Any], int]] = []
        if operation in SINGLE_WRITES:
            writes.append((params["TableName"], _key(params), 1))
        elif operation == "TransactWriteItems":
            for action in params["TransactItems"]:
                ((verb, body),) = action.items()
                if verb == "ConditionCheck":
                    self._read(f"{verb} {kind_of(body['Key'])}", body["TableName"], body["Key"], 2)
                else:
                    writes.append((body["TableName"], _key(body), 2))
        elif operation == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    body = request.get("PutRequest") or request.get("DeleteRequest")
                    writes.append((table, _key(body), 1))
        elif operation == "GetItem":
            units = 1.0 if params.get("ConsistentRead") else 0.5
            key = params["Key"]
            self._read(f"GetItem {kind_of(key)}", params["TableName"], key, units)
        elif operation == "BatchGetItem":
            for table, request in params["RequestItems"].items():
                units = 1.0 if request.get("ConsistentRead") else 0.5
                for key in request["Keys"]:
                    self._read(f"BatchGetItem {kind_of(key)}", table, key, units)
        self._pending.writes = [
            (table, key, factor, self._image(table, key), operation)
            for table, key, factor in writes
        ]
        self._pending.query = params if operation == "Query" else None

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        failed = "Error" in parsed
        for table, key, factor, before, operation in getattr(self._pending, "writes", []):
            after = before if failed else self._image(table, key)
            kind = kind_of(key)
            self.write_units[kind] += factor * _kb(max(before.size, after.size), WRITE_KB)
            self.requests[f"{operation} {kind}" + (" (condition failed)" if failed else "")] += 1
            for index in set(before.indexes) | set(after.indexes):
                old, new = before.indexes.get(index), after.indexes.get(index)
                if old == new:
                    continue  # nothing the index holds changed: no index write
                held = [entry for entry in (old, new) if entry is not None]
                moved = len(held) == 2 and held[0][0] != held[1][0]
                # A moved key is a delete and a put in the index; otherwise one write.
                sizes = [e[1] for e in held] if moved else [max(e[1] for e in held)]
                self.write_units[f"{kind} ({index})"] += sum(_kb(s, WRITE_KB) for s in sizes)
        self._pending.writes = []
        query = getattr(self._pending, "query", None)
        if query is not None and "Items" in parsed:
            table = query["TableName"]
            size = sum(self._image(table, _key({"Item": i})).size for i in parsed["Items"])
            units = 1.0 if query.get("ConsistentRead") else 0.5
            self.read_units["Query"] += units * _kb(size, READ_KB)
        self._pending.query = None

    def _read(self, label: str, table: str, key: dict[str, Any], units: float) -> None:
        self.read_units[label] += units * _kb(self._image(table, key).size, READ_KB)

    def _image(self, table_name: str, key: dict[str, Any]) -> "Image":
        table = dynamodb_backends[DEFAULT_ACCOUNT_ID][self.region].get_table(table_name)
        if table.hash_key_attr not in key:
            return Image(0, {})
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        item = table.get_item(DynamoType(key[table.hash_key_attr]), range_key)
        if item is None:
            return Image(0, {})
        indexes = {}
        for index in table.global_indexes:
            names = [part["AttributeName"] for part in index.schema]
            if all(name in item.attrs for name in names):
                projected = index.project(copy.deepcopy(item))
                keys = tuple(str(item.attrs[name].value) for name in names)
                held = json.dumps(projected.to_json(), sort_keys=True, default=str)
                indexes[index.name] = (keys, projected.size(), held)
        return Image(item.size(), indexes)


@dataclass(frozen=True)
class Image:
    """An item as a write found or left it: its size, and per index its keys, its
    projected size and what the index holds of it."""

    size: int
    indexes: dict[str, tuple[tuple[str, ...], int, str]]


def _kb(size: int, unit: int) -> int:
    return max(1, math.ceil(size / unit))


def _key(body: dict[str, Any]) -> dict[str, Any]:
    key: dict[str, Any] = body.get("Key") or {
        name: value for name, value in body["Item"].items() if name in ("pk", "sk")
    }
    return key
