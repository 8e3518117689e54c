"""moto's TransactWriteItems, at the cost of the items it touches.

To roll a failed transaction back, moto 5.2 deep-copies the whole table
once per *action* of the transaction, then swaps the copy in for the live
table: a transaction of 31 actions on a table of a few thousand items took
seconds where DynamoDB takes milliseconds, and a sweep over 10,000 accounts
spent most of its time copying tables. Here no table is copied: before the
transaction runs, the items its actions name are copied (one each), and a
cancelled transaction puts exactly those back into the live table, so stream
readers stay attached, and drops the stream records its writes made.
"""

import copy
import threading
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

_local = threading.local()
Snapshot = tuple[Table, DynamoType, DynamoType | None, Item | None]


class _NoTableCopies:
    """``copy`` as moto's module sees it: inside a transaction a table is not copied
    (moto's own rollback then swaps the live table for itself: a no-op)."""

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table) and getattr(_local, "in_transaction", False):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


# One lock for every write: a transaction's rollback copy must never see a table
# another thread is writing (moto's Step Functions engine and the offline stack's
# pumps run on threads: "dictionary changed size during iteration"), and a
# conditional write is then atomic, as DynamoDB's are.
_writes = threading.RLock()
WRITES = ("put_item", "update_item", "delete_item")  # a batch write is puts and deletes


def install() -> None:
    if getattr(DynamoDBBackend.transact_write_items, "copies_touched_items", False):
        return
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        with _writes:
            marks = {n: len(t.stream_shard.items) for n, t in self.tables.items() if t.stream_shard}
            before = _snapshots(self, transact_items)
            _local.in_transaction = True
            try:
                original(self, transact_items)
            except Exception:
                _roll_back(self, before, marks)
                raise
            finally:
                _local.in_transaction = False

    transact_write_items.copies_touched_items = True  # type: ignore[attr-defined]
    vars(dynamodb_models)["copy"] = _NoTableCopies()
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    for name in WRITES:
        setattr(DynamoDBBackend, name, _serialised(getattr(DynamoDBBackend, name)))


def _snapshots(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[Snapshot]:
    """A copy of each item the transaction's actions name, as it is now (None: absent)."""
    found: list[Snapshot] = []
    for action in transact_items:
        _, op = next(iter(action.items()))
        table = backend.tables.get(op.get("TableName"))
        key = op.get("Item") or op.get("Key") or {}
        if table is None or table.hash_key_attr not in key:
            continue  # moto refuses the action itself, before any write
        hash_key = DynamoType(key[table.hash_key_attr])
        range_attr = table.range_key_attr
        range_key = DynamoType(key[range_attr]) if range_attr and range_attr in key else None
        if range_attr and range_key is None:
            continue
        current = table.get_item(hash_key, range_key)
        found.append((table, hash_key, range_key, copy.deepcopy(current)))
    return found


def _roll_back(backend: DynamoDBBackend, before: list[Snapshot], marks: dict[str, int]) -> None:
    """Put back every item the cancelled transaction named, and drop the records its
    writes put on the stream: a cancelled transaction never shows on a DynamoDB
    stream."""
    for table, hash_key, range_key, item in reversed(before):
        if range_key is None:
            if item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item  # type: ignore[assignment]
        elif item is None:
            table.items[hash_key].pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item
    for name, table in backend.tables.items():
        if table.stream_shard is not None and name in marks:
            del table.stream_shard.items[marks[name] :]


def _serialised(write: Any) -> Any:
    def serialised(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with _writes:
            return write(self, *args, **kwargs)

    return serialised
