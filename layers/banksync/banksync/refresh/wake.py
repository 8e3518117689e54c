"""Waking a parked refresh when the provider's webhook says its data is ready.

A waiting execution parks on a task token (``WaitForCallbacks`` writes
``$$.Task.Token`` to ``pk=REFRESH#<id>, sk=WAKE``) with a timeout at its next
poll time. The push listener, on a webhook for one of the run's records,
marks the item ``pushed_at`` and the run ``woken_at``, and sends the token
back: the poll that follows collects only the items the provider announced.
A webhook that comes before the token is parked leaves ``woken_at`` set, and
the park's condition fails at once into the poll; so waking never misses,
and a duplicate or late webhook (the item finished, the token spent) changes
nothing.

Whether the provider's webhooks can be relied on is learnt, not assumed:
``pk=WEBHOOKS, sk=HEALTH`` holds when a webhook last announced one of
banksync's own records (``last_hit_at``) and when a fallback poll last found
data ready that no webhook had announced (``last_miss_at``). Only while hits
are recent and newer than misses does a parked run wait long for its webhook;
otherwise it polls on the usual schedule. A container records a hit at most
once a minute (``HIT_EVERY``): a webhook per item made the health item the
stack's most written one, while the trust it feeds is judged over an hour;
a miss then outweighs the hits that follow it for at most that minute.
"""

from datetime import datetime, timedelta
from typing import Any

from banksync.dynamo import conditional, from_item, to_item

HEALTH_KEY = {"pk": "WEBHOOKS", "sk": "HEALTH"}
# Every write stamps what the item is, so that a stream consumer can tell it.
WAKE_STAMP = {":entity": "refresh_wake", ":version": 1}
HEALTH_STAMP = {":entity": "webhook_health", ":version": 1}
STAMPED = "entity = :entity, schema_version = :version"
HIT_EVERY = timedelta(minutes=1)


class WakeSignals:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client
        self._hit_recorded: datetime | None = None

    def clear(self, refresh_id: str) -> None:
        """A poll begins: what woke the run is being served, and its token is spent."""
        self._client.update_item(
            TableName=self._table,
            Key=to_item({"pk": f"REFRESH#{refresh_id}", "sk": "WAKE"}),
            UpdateExpression=f"SET {STAMPED} REMOVE woken_at, task_token",
            ExpressionAttributeValues=to_item(WAKE_STAMP),
        )

    def announce(self, refresh_id: str, item_key: dict[str, str], at: str) -> str | None:
        """The provider announced an item's record: mark it, and the run; returns the
        run's parked task token, if it is parked."""
        marked = conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item(item_key),
                UpdateExpression="SET pushed_at = :at",
                ConditionExpression="#status = :started",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item({":at": at, ":started": "started"}),
            )
        )
        if not marked:
            return None  # finished already (or never started): nothing to wake
        answer = self._client.update_item(
            TableName=self._table,
            Key=to_item({"pk": f"REFRESH#{refresh_id}", "sk": "WAKE"}),
            UpdateExpression=f"SET woken_at = :at, {STAMPED}",
            ExpressionAttributeValues=to_item({":at": at, **WAKE_STAMP}),
            ReturnValues="ALL_NEW",
        )
        token = from_item(answer.get("Attributes", {})).get("task_token")
        return str(token) if token else None

    def record_hit(self, at: str) -> None:
        moment = datetime.fromisoformat(at)
        if self._hit_recorded is not None and moment - self._hit_recorded < HIT_EVERY:
            return
        self._set_health("last_hit_at", at)
        self._hit_recorded = moment

    def record_miss(self, at: str) -> None:
        self._set_health("last_miss_at", at)

    def webhooks_reliable(self, now: datetime, within: timedelta) -> bool:
        found = self._client.get_item(TableName=self._table, Key=to_item(HEALTH_KEY))
        health = from_item(found.get("Item", {}))
        hit, miss = health.get("last_hit_at"), health.get("last_miss_at")
        if not isinstance(hit, str) or datetime.fromisoformat(hit) < now - within:
            return False
        return not isinstance(miss, str) or miss < hit

    def _set_health(self, attribute: str, at: str) -> None:
        conditional(  # a newer time is there already: keep it
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item(HEALTH_KEY),
                UpdateExpression=f"SET #at = :at, {STAMPED}",
                ConditionExpression="attribute_not_exists(#at) OR #at < :at",
                ExpressionAttributeNames={"#at": attribute},
                ExpressionAttributeValues=to_item({":at": at, **HEALTH_STAMP}),
            )
        )
