"""moto's Query on a table's own key, at the cost of the partition it reads.

moto 5.2 answers such a Query by listing and sorting every item of the table,
then keeping the partition's: at 10,000 accounts the DataTable holds some
100,000 items, and every round of every refresh run (which reads its run's
items) paid for all of them, so the offline stack slowed as it grew. DynamoDB
reads the one partition; here the table's listing is narrowed to it while
moto's own query runs, and moto still does all the matching, sorting, paging
and filtering.
"""

import threading
from typing import Any

from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

_local = threading.local()
INDEX_NAME_POSITION = 6  # Table.query(hash_key, range_comparison, …, index_name, …)


def install() -> None:
    if getattr(Table.query, "reads_one_partition", False):
        return
    original_query, original_all_items = Table.query, Table.all_items

    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name")
        if index_name is None and len(args) > INDEX_NAME_POSITION:
            index_name = args[INDEX_NAME_POSITION]
        if index_name is not None or hash_key is None:
            return original_query(self, hash_key, *args, **kwargs)
        _local.partition = (self, hash_key)
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _local.partition = None

    def all_items(self: Table) -> list[Item]:
        partition = getattr(_local, "partition", None)
        if partition is None or partition[0] is not self:
            return original_all_items(self)
        found = self.items.get(partition[1])
        if found is None:
            return []
        return list(found.values()) if self.range_key_attr else [found]

    query.reads_one_partition = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]
