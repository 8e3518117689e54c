"""What an operator sees of a sweep: accounts considered, skipped, queued; items done."""

from typing import Any

from banksync.dynamo import from_item, to_item
from banksync.sweep.model import QUEUED, Sweep
from banksync.sweep.store import SweepStore

TERMINAL = ("succeeded", "failed", "reauth_required", "timed_out")


class SweepProgress:
    def __init__(self, sweeps: SweepStore, table_name: str, client: Any) -> None:
        self.sweeps = sweeps
        self._table, self._client = table_name, client

    def report(self, sweep_id: str) -> dict[str, Any] | None:
        sweep = self.sweeps.get(sweep_id)
        if sweep is None:
            return None
        pages = self.sweeps.pages(sweep_id)
        runs = self._runs(sweep_id)
        by_status: dict[str, int] = {}
        for run in runs:
            for status, count in (run.get("counts") or {}).items():
                by_status[status] = by_status.get(status, 0) + int(count)
        done = sum(by_status.get(status, 0) for status in TERMINAL)
        queued = sum(page.items_queued for page in pages)
        return {
            "sweep_id": sweep.sweep_id,
            "status": _status(sweep, runs, done, queued),
            "trigger": sweep.trigger,
            "created_at": sweep.created_at,
            "queued_at": sweep.queued_at,
            "stale_after_hours": sweep.stale_after_hours,
            "pages": len(pages),
            "accounts": {
                "considered": sum(page.considered for page in pages),
                "skipped_fresh": sum(page.skipped_fresh for page in pages),
                "skipped_reauth": sum(page.skipped_reauth for page in pages),
                "queued": sum(page.accounts_queued for page in pages),
            },
            "items": {
                "queued": queued,
                "started": sum(by_status.values()) - by_status.get("pending", 0),
                "done": done,
                "by_status": by_status,
            },
            "refreshes": len(runs),
        }

    def _runs(self, sweep_id: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues=to_item({":pk": f"SWEEP#{sweep_id}"}),
        )
        for page in pages:
            rows += [from_item(raw) for raw in page["Items"]]
        return rows


def _status(sweep: Sweep, runs: list[dict[str, Any]], done: int, queued: int) -> str:
    """``queueing`` (still reading the registry), ``running``, or ``completed``."""
    if sweep.status != QUEUED:
        return "queueing"
    if done >= queued and all(run.get("status") != "running" for run in runs):
        return "completed"
    return "running"
