"""A delivery: one notification to one subscriber, and every attempt to deliver it.

Key: ``pk=SUBSCRIPTION#<subscription>, sk=DELIVERY#<delivery_id>``; a
subscription's deliveries newest first on ``gsi1`` (``DELIVERIES#<subscription>``,
``<created_at>#<delivery_id>``), a delivery by its id alone on the keys-only
``gsi3`` (``DELIVERY#<delivery_id>``; deliveries created before it, on ``gsi2``).

A delivery is made of chains of attempts: the first when it is created, one
more each time an operator replays it. Each chain has its own 150 minutes
(``window_started_at``); attempts are numbered across chains, and each one
records the chain it belongs to.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Self

from banksync.subscriptions.models import SCHEMA_VERSION

DeliveryStatus = Literal["pending", "delivered", "abandoned", "stopped"]
STATUSES: tuple[str, ...] = ("pending", "delivered", "abandoned", "stopped")
# A delivery item holds its attempts; at ~150 bytes each, 1,000 stay far inside
# DynamoDB's 400 KB item limit. A replay past them is refused.
MAX_ATTEMPTS = 1000


def delivery_id_for(refresh_id: str, account_id: str, product: str) -> str:
    """The same item's notification always has the same id (``webhook-id``)."""
    digest = hashlib.sha256(f"{refresh_id}/{account_id}/{product}".encode()).hexdigest()
    return f"msg_{digest[:26]}"


@dataclass
class Delivery:
    subscription_id: str
    delivery_id: str
    event_type: str
    payload: str  # the exact JSON body every attempt sends and signs
    webhook_url: str
    created_at: str
    status: DeliveryStatus = "pending"
    attempt_count: int = 0
    attempts: list[dict[str, Any]] = field(default_factory=list)
    first_attempt_at: str | None = None
    finished_at: str | None = None
    reason: str | None = None  # why it ended other than delivered
    chain: int = 1
    window_started_at: str | None = None  # the current chain's first attempt
    next_attempt_at: str | None = None
    replayed_at: str | None = None

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"SUBSCRIPTION#{self.subscription_id}", "sk": f"DELIVERY#{self.delivery_id}"}

    def to_record(self) -> dict[str, Any]:
        return {
            **self.key,
            **asdict(self),
            "kind": "delivery",
            "entity": "delivery",
            "schema_version": SCHEMA_VERSION,
            "gsi1pk": f"DELIVERIES#{self.subscription_id}",
            "gsi1sk": f"{self.created_at}#{self.delivery_id}",
            "gsi3pk": f"DELIVERY#{self.delivery_id}",
            "gsi3sk": self.subscription_id,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        return cls(**{k: v for k, v in record.items() if k in cls.__dataclass_fields__})

    def summary(self) -> dict[str, Any]:
        """What a listing shows: the outcome, not every attempt nor the payload."""
        last = self.attempts[-1] if self.attempts else None
        view = {
            "delivery_id": self.delivery_id,
            "webhook_id": self.delivery_id,
            "subscription_id": self.subscription_id,
            "event_type": self.event_type,
            "status": self.status,
            "reason": self.reason,
            "created_at": self.created_at,
            "finished_at": self.finished_at,
            "attempt_count": self.attempt_count,
            "chain": self.chain,
            "next_attempt_at": self.next_attempt_at if self.status == "pending" else None,
            "last_attempt": last,
            "webhook_url": self.webhook_url,
        }
        return {k: v for k, v in view.items() if v is not None}

    def detail(self) -> dict[str, Any]:
        """Every attempt, and the refresh or pushed update the notification is about."""
        view = {
            **self.summary(),
            "attempts": self.attempts,
            "first_attempt_at": self.first_attempt_at,
            "replayed_at": self.replayed_at,
            "source": source_of(self.payload),
        }
        return {k: v for k, v in view.items() if v is not None}


def source_of(payload: str) -> dict[str, Any]:
    """The identifiers of what the notification is about (no bank data)."""
    try:
        data = json.loads(payload).get("data", {})
    except (ValueError, AttributeError):
        return {}
    names = ("refresh_id", "update_id", "account_id", "product", "record", "customer", "bank")
    return {name: data[name] for name in names if isinstance(data, dict) and name in data}
