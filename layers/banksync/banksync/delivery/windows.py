"""Counting windows in the DataTable: at most ``limit`` takes per window, for every
Lambda at once (one conditional ``ADD``, which DynamoDB applies atomically).

A subscription's delivery throttle (``sk = THROTTLE#<second>``) and its replay
limit (``sk = REPLAYS#<minute>``) are such windows; each expires a day later.
"""

import math
from dataclasses import dataclass
from typing import Any

from banksync.dynamo import conditional, to_item
from banksync.subscriptions.models import SCHEMA_VERSION

EXPIRES_AFTER_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Window:
    kind: str  # "THROTTLE", "REPLAYS"
    seconds: int


THROTTLE = Window("THROTTLE", 1)
REPLAYS = Window("REPLAYS", 60)


class WindowCounter:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def take(self, subscription_id: str, window: Window, limit: int, now: float) -> float:
        """0 if a take was granted; else the seconds until the next window opens."""
        start = math.floor(now / window.seconds) * window.seconds
        granted = conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item(
                    {"pk": f"SUBSCRIPTION#{subscription_id}", "sk": f"{window.kind}#{start}"}
                ),
                UpdateExpression=(
                    "ADD taken :one SET expires_at = :expires, entity = :entity, "
                    "schema_version = :schema"
                ),
                ConditionExpression="attribute_not_exists(taken) OR taken < :limit",
                ExpressionAttributeValues=to_item(
                    {
                        ":one": 1,
                        ":limit": limit,
                        ":expires": start + EXPIRES_AFTER_SECONDS,
                        ":entity": f"{window.kind.lower()}_window",
                        ":schema": SCHEMA_VERSION,
                    }
                ),
            )
        )
        return 0.0 if granted else start + window.seconds - now
