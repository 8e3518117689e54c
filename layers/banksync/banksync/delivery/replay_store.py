"""An operator's writes on deliveries: a finished one reopened (a new chain of
attempts), a pending one's next attempt moved forward to now, and the undoing of
either when its queue message cannot be sent. Each is conditional on what was read,
so two operators, or an operator and the deliverer, never both win."""

from typing import Any

from banksync.delivery.model import Delivery
from banksync.delivery.store import DeliveryStore
from banksync.dynamo import conditional, to_item


class ReplayStore(DeliveryStore):
    def reopen(self, delivery: Delivery, webhook_url: str, at: str) -> bool:
        """A new chain of attempts for a finished delivery (same id, so the same
        ``webhook-id``), to the subscription's current URL; False if it is pending
        again already or changed since it was read."""
        return conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item(delivery.key),
                UpdateExpression=(
                    "SET #status = :pending, chain = :chain, replayed_at = :at, "
                    "webhook_url = :url REMOVE window_started_at, finished_at, reason, "
                    "next_attempt_at"
                ),
                ConditionExpression="attempt_count = :count AND #status = :was",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(
                    {
                        ":pending": "pending",
                        ":chain": delivery.chain + 1,
                        ":at": at,
                        ":url": webhook_url,
                        ":count": delivery.attempt_count,
                        ":was": delivery.status,
                    }
                ),
            )
        )

    def close_again(self, delivery: Delivery) -> bool:
        """Undo ``reopen`` (its queue message could not be sent): as it was read."""
        values = {
            ":was": delivery.status,
            ":chain": delivery.chain,
            ":reopened": delivery.chain + 1,
            ":count": delivery.attempt_count,
            ":finished": delivery.finished_at,
            ":reason": delivery.reason,
            ":window": delivery.window_started_at,
        }
        present = {name: value for name, value in values.items() if value is not None}
        sets = ["#status = :was", "chain = :chain"] + [
            f"{field} = {name}"
            for field, name in (
                ("finished_at", ":finished"),
                ("reason", ":reason"),
                ("window_started_at", ":window"),
            )
            if name in present
        ]
        return conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item(delivery.key),
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression="chain = :reopened AND attempt_count = :count",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(present),
            )
        )

    def hasten(self, delivery: Delivery, at: str) -> bool:
        """Move a pending delivery's next attempt forward to ``at``; False if it was
        attempted, stopped or moved since it was read."""
        return conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item(delivery.key),
                UpdateExpression="SET next_attempt_at = :at, replayed_at = :at",
                ConditionExpression=_AS_READ,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(
                    {":at": at, ":was": delivery.next_attempt_at, **_pending(delivery)}
                ),
            )
        )

    def unhasten(self, delivery: Delivery, at: str) -> bool:
        """Undo ``hasten`` (its queue message could not be sent): due as it was read."""
        values: dict[str, Any] = {":due": delivery.next_attempt_at, ":was": at}
        update = "SET next_attempt_at = :due"
        if delivery.replayed_at:
            update += ", replayed_at = :replayed"
            values[":replayed"] = delivery.replayed_at
        else:
            update += " REMOVE replayed_at"
        return conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item(delivery.key),
                UpdateExpression=update,
                ConditionExpression=_AS_READ,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item({**values, **_pending(delivery)}),
            )
        )


# Still pending, with no attempt recorded and its next attempt where it was.
_AS_READ = "attempt_count = :count AND #status = :pending AND next_attempt_at = :was"


def _pending(delivery: Delivery) -> dict[str, Any]:
    return {":count": delivery.attempt_count, ":pending": "pending"}
