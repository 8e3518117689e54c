"""Refresh runs and their items in the DataTable."""

from typing import Any

import boto3

from banksync.dynamo import conditional, from_item, get_many, to_item
from banksync.refresh.model import RefreshItem, RefreshRun

# Set by the push listener alone (``refresh.wake``).
PUSH_MARK = "pushed_at"


class RefreshRunStore:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table = table_name
        self._client = client or boto3.client("dynamodb")

    def create_run(self, run: RefreshRun) -> bool:
        """Store a new run; False if a run with this id exists already."""
        return self._put_new(run.to_record())

    def add_item(self, item: RefreshItem) -> bool:
        """Store a new item; an existing one (a retried start) is left as it is."""
        return self._put_new(item.to_record())

    def run(self, refresh_id: str) -> RefreshRun | None:
        key = to_item({"pk": f"REFRESH#{refresh_id}", "sk": "RUN"})
        found = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        return RefreshRun.from_record(from_item(found["Item"])) if "Item" in found else None

    def items(self, refresh_id: str) -> list[RefreshItem]:
        items: list[RefreshItem] = []
        paginator = self._client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :items)",
            ExpressionAttributeValues=to_item({":pk": f"REFRESH#{refresh_id}", ":items": "ITEM#"}),
            ConsistentRead=True,
        )
        for page in pages:
            items += [RefreshItem.from_record(from_item(raw)) for raw in page["Items"]]
        return items

    def items_for_record(self, record_id: str) -> list[RefreshItem]:
        """The items that started the provider's ``record_id``, as they are now (the
        index, which may lag a just-started item by a moment, gives their keys)."""
        answer = self._client.query(
            TableName=self._table,
            IndexName="gsi3",
            KeyConditionExpression="gsi3pk = :pk",
            ExpressionAttributeValues=to_item({":pk": f"RECORD#{record_id}"}),
        )
        keys = [{name: raw[name] for name in ("pk", "sk")} for raw in answer["Items"]]
        return [RefreshItem.from_record(item) for item in get_many(self._client, self._table, keys)]

    def save_item(self, item: RefreshItem) -> None:
        """Write what a round changed, never ``pushed_at``: the push listener may mark
        the item while the round is in flight, and a whole-item put would erase the
        mark, leaving the woken poll that follows with nothing to fetch."""
        record = item.to_record()
        names = [name for name in record if name not in ("pk", "sk", PUSH_MARK)]
        given = [name for name in names if record[name] is not None]
        update = "SET " + ", ".join(f"#{i} = :{i}" for i, name in enumerate(names) if name in given)
        cleared = [f"#{i}" for i, name in enumerate(names) if name not in given]
        if cleared:
            update += " REMOVE " + ", ".join(cleared)
        self._client.update_item(
            TableName=self._table,
            Key=to_item(item.key),
            UpdateExpression=update,
            ExpressionAttributeNames={f"#{i}": name for i, name in enumerate(names)},
            ExpressionAttributeValues=to_item(
                {f":{i}": record[name] for i, name in enumerate(names) if name in given}
            ),
        )

    def save_run(self, run: RefreshRun) -> None:
        self._client.put_item(TableName=self._table, Item=to_item(run.to_record()))

    def _put_new(self, record: dict[str, Any]) -> bool:
        return conditional(
            lambda: self._client.put_item(
                TableName=self._table,
                Item=to_item(record),
                ConditionExpression="attribute_not_exists(pk)",
            )
        )
