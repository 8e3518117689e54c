"""moto's TransactWriteItems, made as cheap as one copy of each table it touches.

To roll a failed transaction back, moto 5.2 deep-copies the whole table
once per *action* of the transaction: a transaction of 31 actions on a
table of a few thousand items took seconds, where DynamoDB takes
milliseconds. The copy is the same for every action of one table, so one
per table and transaction gives the same rollback. moto then swaps the copy
in for the live table; here its items are put back into the live table
instead, so stream readers stay attached.
"""

import copy
import threading
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

_local = threading.local()


class _CopyEachTableOnce:
    """``copy`` as moto's module sees it: tables copied once per transaction."""

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        copies: dict[int, Any] | None = getattr(_local, "copies", None)
        if copies is None or not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        if id(value) not in copies:
            copies[id(value)] = copy.deepcopy(value, memo)
        return copies[id(value)]

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


# One lock for every write: a transaction's rollback copy must never see a table
# another thread is writing (moto's Step Functions engine and the offline stack's
# pumps run on threads: "dictionary changed size during iteration"), and a
# conditional write is then atomic, as DynamoDB's are.
_writes = threading.RLock()
WRITES = ("put_item", "update_item", "delete_item")  # a batch write is puts and deletes


def install() -> None:
    if getattr(DynamoDBBackend.transact_write_items, "copies_once", False):
        return
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        with _writes:
            live = dict(self.tables)
            marks = {name: len(t.stream_shard.items) for name, t in live.items() if t.stream_shard}
            _local.copies = {}
            try:
                original(self, transact_items)
            except Exception:
                _roll_back_in_place(self, live, marks)
                raise
            finally:
                _local.copies = None

    transact_write_items.copies_once = True  # type: ignore[attr-defined]
    vars(dynamodb_models)["copy"] = _CopyEachTableOnce()
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    for name in WRITES:
        setattr(DynamoDBBackend, name, _serialised(getattr(DynamoDBBackend, name)))


def _roll_back_in_place(
    backend: DynamoDBBackend, live: dict[str, Table], marks: dict[str, int]
) -> None:
    """moto rolls back by swapping its copy in for the live table, so every shard
    iterator a stream reader holds keeps reading the old table's stream and never
    sees another write. The copy's items go back into the live table instead, and
    the records the cancelled writes put on its stream are dropped: a cancelled
    transaction never shows on a DynamoDB stream."""
    for name, table in live.items():
        restored = backend.tables.get(name)
        if restored is None or restored is table:
            continue
        table.items = restored.items
        backend.tables[name] = table
        if table.stream_shard is not None and name in marks:
            del table.stream_shard.items[marks[name] :]


def _serialised(write: Any) -> Any:
    def serialised(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with _writes:
            return write(self, *args, **kwargs)

    return serialised
