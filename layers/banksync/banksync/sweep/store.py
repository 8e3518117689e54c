"""Sweeps and their pages in the DataTable."""

from datetime import datetime, timedelta
from typing import Any

from banksync.clock import iso
from banksync.dynamo import conditional, from_item, to_item
from banksync.sweep.model import QUEUED, QUEUEING, Sweep, SweepPage

CURRENT_KEY = {"pk": "SWEEP", "sk": "CURRENT"}
# Pages come at most 15 minutes apart: a sweep with no page read for this long has
# lost its chain (a page dead-lettered) and no longer blocks a new one.
STUCK_AFTER = timedelta(hours=1)


class SweepStore:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def current(self) -> str | None:
        """The sweep still queueing, if any."""
        found = self._client.get_item(
            TableName=self._table, Key=to_item(CURRENT_KEY), ConsistentRead=True
        )
        record = from_item(found.get("Item", {}))
        return str(record["sweep_id"]) if record.get("status") == QUEUEING else None

    def begin(self, sweep: Sweep, now: datetime) -> bool:
        """Record ``sweep`` as the one queueing; False if another one still is."""
        begun = conditional(
            lambda: self._client.put_item(
                TableName=self._table,
                Item=to_item(
                    {
                        **CURRENT_KEY,
                        "entity": "sweep_current",
                        "schema_version": 1,
                        "sweep_id": sweep.sweep_id,
                        "status": QUEUEING,
                        "created_at": sweep.created_at,
                        "progress_at": sweep.created_at,
                    }
                ),
                ConditionExpression=(
                    "attribute_not_exists(pk) OR #status <> :queueing OR sweep_id = :id "
                    "OR progress_at < :stuck"
                ),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(
                    {
                        ":queueing": QUEUEING,
                        ":id": sweep.sweep_id,
                        ":stuck": iso(now - STUCK_AFTER),
                    }
                ),
            )
        )
        if begun:
            self._put_new(sweep.to_record())
        return begun

    def progressed(self, sweep_id: str, at: str) -> None:
        """A page of the queueing sweep was read: it is alive."""
        self._set_current(sweep_id, "SET progress_at = :at", {":at": at})

    def abandon(self, sweep_id: str) -> None:
        """Its first page could not be queued: it never ran and blocks nothing."""
        self._set_current(sweep_id, "SET #status = :failed", {":failed": "failed"})

    def _set_current(self, sweep_id: str, expression: str, values: dict[str, Any]) -> None:
        names = {"#status": "status"} if "#status" in expression else {}
        conditional(  # another sweep is current already: nothing to change
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item(CURRENT_KEY),
                UpdateExpression=expression,
                ConditionExpression="sweep_id = :id",
                **({"ExpressionAttributeNames": names} if names else {}),
                ExpressionAttributeValues=to_item({**values, ":id": sweep_id}),
            )
        )

    def finish_queueing(self, sweep_id: str, at: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=to_item({"pk": f"SWEEP#{sweep_id}", "sk": "SWEEP"}),
            UpdateExpression="SET #status = :queued, queued_at = :at",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=to_item({":queued": QUEUED, ":at": at}),
        )
        self._set_current(sweep_id, "SET #status = :queued", {":queued": QUEUED})

    def get(self, sweep_id: str) -> Sweep | None:
        key = to_item({"pk": f"SWEEP#{sweep_id}", "sk": "SWEEP"})
        found = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        return Sweep.from_record(from_item(found["Item"])) if "Item" in found else None

    def save_page(self, page: SweepPage) -> None:
        """Idempotent: a page read again (a retried message) rewrites the same record."""
        self._client.put_item(TableName=self._table, Item=to_item(page.to_record()))

    def pages(self, sweep_id: str) -> list[SweepPage]:
        return [SweepPage.from_record(r) for r in self._query(f"SWEEP#{sweep_id}", "PAGE#")]

    def _query(self, pk: str, prefix: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=to_item({":pk": pk, ":prefix": prefix}),
        )
        for page in pages:
            rows += [from_item(raw) for raw in page["Items"]]
        return rows

    def _put_new(self, record: dict[str, Any]) -> None:
        conditional(  # written already by a retry of the same launch
            lambda: self._client.put_item(
                TableName=self._table,
                Item=to_item(record),
                ConditionExpression="attribute_not_exists(pk)",
            )
        )
