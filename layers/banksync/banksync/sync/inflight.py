"""A subscription's refresh still running: its next tick is skipped, not piled up.

When demand is above the provider budget (say 1,000 ``one_minute``
subscriptions at 50 requests a minute), starting every tick would queue
work without end. Instead a subscription whose last refresh has not
finished is skipped at its next tick: its effective interval lengthens to
what the budget can serve, the same for every subscription, and no item
fails for it. ``pk=SUBSCRIPTION#<id>, sk=INFLIGHT`` names the refresh run of
its last tick.
"""

from typing import Any

from banksync.dynamo import from_item, to_item


class InFlight:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def busy(self, subscription_id: str, stale_before: str) -> bool:
        """Whether the refresh of this subscription's last tick is still running."""
        marker = self._get({"pk": f"SUBSCRIPTION#{subscription_id}", "sk": "INFLIGHT"})
        if not marker.get("refresh_id") or str(marker.get("at", "")) < stale_before:
            return False  # none, or a run so old it can only have been lost
        run = self._get({"pk": f"REFRESH#{marker['refresh_id']}", "sk": "RUN"})
        # A run not recorded yet was started a moment ago: it is running.
        return bool(run.get("status", "running") == "running")

    def started(self, subscription_id: str, refresh_id: str, at: str) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=to_item(
                {
                    "pk": f"SUBSCRIPTION#{subscription_id}",
                    "sk": "INFLIGHT",
                    "kind": "subscription_inflight",
                    "entity": "subscription_inflight",
                    "schema_version": 1,
                    "refresh_id": refresh_id,
                    "at": at,
                }
            ),
        )

    def _get(self, key: dict[str, str]) -> dict[str, Any]:
        found = self._client.get_item(TableName=self._table, Key=to_item(key), ConsistentRead=True)
        return from_item(found.get("Item", {}))
