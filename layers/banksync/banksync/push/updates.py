"""A pushed update: one provider webhook's data, fetched at most once.

Key: ``pk=PUSH#<record>, sk=<product>``. The listener claims it (status
``queued``) before anything is sent to the fetch queue, and the fetcher
finishes it; the finish, seen on the DataTable stream, is what tells
subscribers. A record the provider refreshes again later (some providers
reuse a record id for each periodic refresh) may be claimed again once the
previous update is finished and older than the de-duplication window.
"""

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, Self

from banksync.dynamo import conditional, from_item, to_item
from banksync.provider.names import DEFAULT_PROVIDER, ProviderName, named, provider_of

QUEUED = "queued"
TERMINAL = frozenset({"succeeded", "failed", "reauth_required", "timed_out"})


@dataclass
class PushedUpdate:
    record_id: str
    product: str
    event_id: str
    created_at: str
    as_of: str
    callback_url: str | None = None
    customer_id: str | None = None
    bank_id: str | None = None
    account_id: str | None = None
    status: str = QUEUED
    attempts: int = 0
    reason: str | None = None
    finished_at: str | None = None
    new_transactions: int | None = None
    updated_transactions: int | None = None
    balance: dict[str, Any] | None = None
    provider: ProviderName = DEFAULT_PROVIDER

    @property
    def update_id(self) -> str:
        seed = f"{self.record_id}/{self.product}/{self.created_at}"
        return f"pu_{hashlib.sha256(seed.encode()).hexdigest()[:24]}"

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"PUSH#{self.record_id}", "sk": self.product}

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def to_record(self) -> dict[str, Any]:
        return {
            **self.key,
            **{k: v for k, v in asdict(self).items() if k != "provider"},
            **named(self.provider),
            "kind": "pushed_update",
            "entity": "pushed_update",
            "schema_version": 1,
            "run_kind": "pushed",
            "update_id": self.update_id,
            # Listed with the refresh runs (GET /refreshes, newest first).
            "gsi2pk": "RUNS",
            "gsi2sk": f"{self.created_at}#{self.update_id}",
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        fields = {k: v for k, v in record.items() if k in cls.__dataclass_fields__}
        return cls(**{**fields, "provider": provider_of(record)})

    def finish(self, status: str, at: str, reason: str | None = None) -> None:
        self.status, self.finished_at, self.reason = status, at, reason


class PushedUpdateStore:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def claim(self, update: PushedUpdate, window_start: str, stuck_before: str) -> bool:
        """Store ``update`` as queued unless this record's product is queued already
        (and not stuck there since ``stuck_before``: its fetch was lost), or finished
        since ``window_start``; True if this call claimed it."""
        return self._put(
            update,
            "attribute_not_exists(pk) OR (#status <> :queued AND created_at < :since) "
            "OR (#status = :queued AND created_at < :stuck)",
            {":queued": QUEUED, ":since": window_start, ":stuck": stuck_before},
        )

    def get(self, record_id: str, product: str) -> PushedUpdate | None:
        key = to_item({"pk": f"PUSH#{record_id}", "sk": product})
        found = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        return PushedUpdate.from_record(from_item(found["Item"])) if "Item" in found else None

    def save(self, update: PushedUpdate) -> bool:
        """Write the fetcher's progress; False if a newer claim replaced this update."""
        return self._put(
            update,
            "created_at = :created AND #status = :queued",
            {
                ":created": update.created_at,
                ":queued": QUEUED,
            },
        )

    def _put(self, update: PushedUpdate, condition: str, values: dict[str, Any]) -> bool:
        return conditional(
            lambda: self._client.put_item(
                TableName=self._table,
                Item=to_item(update.to_record()),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(values),
            )
        )
