"""DynamoDB capacity as DynamoDB bills it, from the items each request touches.

Rules (the DynamoDB developer guide, on-demand mode):
- An item's size is its attribute names plus values: strings and binaries
  by their bytes, numbers ~1 byte per two significant digits plus 1, null
  and booleans 1 byte, lists and maps 3 bytes plus 1 byte per element.
- A write costs 1 write unit per KB (rounded up, at least 1) of the larger
  of the item before and after it; a failed condition still costs the
  attempt. Every item of a TransactWriteItems (ConditionCheck included)
  costs twice that; so does every item of a TransactGetItems read.
- A read costs 1 read unit per 4 KB, half when eventually consistent:
  GetItem and each BatchGetItem key per item (a missing item costs the
  minimum), Query and Scan per request over the items they return.
- A write that puts, changes or removes an item's entry in a global
  secondary index costs a write on that index too, for the projected
  entry; one that changes the index key costs two (the old entry deleted,
  the new one put). Index writes are not transactional: 1 unit per KB.
"""

import base64
import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Item = Mapping[str, Any]  # attribute name -> typed value ({"S": ...}), as the low-level API speaks

WRITE_KB, READ_KB = 1024, 4096


def value_size(value: Mapping[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return len(str(data).encode())
    if kind == "N":
        return number_size(str(data))
    if kind == "B":
        return len(data) if isinstance(data, bytes | bytearray) else len(base64.b64decode(data))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(s).encode()) for s in data)
    if kind == "NS":
        return sum(number_size(str(n)) for n in data)
    if kind == "BS":
        return sum(value_size({"B": b}) for b in data)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in data.items())
    raise ValueError(f"not a DynamoDB attribute value type: {kind}")


def number_size(text: str) -> int:
    """1 byte per two significant digits, plus 1; leading and trailing zeros do not count."""
    digits = Decimal(text).normalize().as_tuple().digits
    significant = len("".join(map(str, digits)).strip("0")) or 1
    return math.ceil(significant / 2) + 1


def item_size(item: Item | None) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in (item or {}).items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / WRITE_KB))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / READ_KB))
    return float(units) if consistent else units / 2


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    included: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSchema:
    name: str  # the logical id, as the cost table names it
    keys: tuple[str, ...]
    indexes: tuple[Index, ...] = ()

    def key_of(self, item: Item) -> dict[str, Any]:
        return {name: item[name] for name in self.keys if name in item}

    @classmethod
    def from_properties(cls, name: str, props: Mapping[str, Any]) -> "TableSchema":
        """From an ``AWS::DynamoDB::Table``'s properties, as template.yaml declares them."""

        def keys(schema: list[Mapping[str, str]]) -> tuple[str, ...]:
            return tuple(k["AttributeName"] for k in schema)

        indexes = tuple(
            Index(
                gsi["IndexName"],
                keys(gsi["KeySchema"]),
                gsi["Projection"]["ProjectionType"],
                tuple(gsi["Projection"].get("NonKeyAttributes", ())),
            )
            for gsi in props.get("GlobalSecondaryIndexes", [])
        )
        return cls(name, keys(props["KeySchema"]), indexes)


def index_entry(schema: TableSchema, index: Index, item: Item | None) -> dict[str, Any] | None:
    """The item's entry in ``index`` (None when it lacks the index's keys)."""
    if item is None or not all(k in item for k in index.keys):
        return None
    if index.projection == "ALL":
        return dict(item)
    wanted = set(schema.keys) | set(index.keys) | set(index.included)
    return {k: v for k, v in item.items() if k in wanted}


def index_writes(schema: TableSchema, before: Item | None, after: Item | None) -> dict[str, int]:
    """Write units each index takes for one item going from ``before`` to ``after``."""
    units: dict[str, int] = {}
    for index in schema.indexes:
        old, new = index_entry(schema, index, before), index_entry(schema, index, after)
        if old is None and new is None:
            continue
        if old is None or new is None:
            units[index.name] = write_units(item_size(old or new))
        elif any(old[k] != new[k] for k in index.keys):
            units[index.name] = write_units(item_size(old)) + write_units(item_size(new))
        elif old != new:
            units[index.name] = write_units(item_size(new))
    return units


@dataclass
class Capacity:
    """Units by table and index: "DataTable", "DataTable gsi1", ..."""

    writes: Counter[str] = field(default_factory=Counter)
    reads: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    # Write units (table and indexes) by the kind of item written: where they go.
    writes_by_kind: Counter[str] = field(default_factory=Counter)

    def write(
        self, schema: TableSchema, before: Item | None, after: Item | None, transactional: bool
    ) -> None:
        units = write_units(max(item_size(before), item_size(after)))
        units = 2 * units if transactional else units
        self.writes[schema.name] += units
        kind = f"{schema.name} {item_kind(after or before or {})}"
        self.writes_by_kind[kind] += units
        for index, index_units in index_writes(schema, before, after).items():
            self.writes[f"{schema.name} {index}"] += index_units
            self.writes_by_kind[kind] += index_units

    def read(self, table: str, size: int, consistent: bool, transactional: bool = False) -> None:
        units = read_units(size, consistent or transactional)
        self.reads[table] += 2 * units if transactional else units

    def clear(self) -> None:
        self.writes.clear()
        self.reads.clear()
        self.writes_by_kind.clear()


def item_kind(item: Item) -> str:
    """What an item is: its ``entity`` (or ``kind``), else its sort key's prefix."""
    for name in ("entity", "kind"):
        if "S" in item.get(name, {}):
            return str(item[name]["S"])
    sort_key = item.get("sk", {}).get("S", "")
    return str(sort_key).split("#", 1)[0] or "item"
