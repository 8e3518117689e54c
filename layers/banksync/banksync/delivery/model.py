"""A delivery: one notification to one subscriber, and every attempt to deliver it.

Key: ``pk=SUBSCRIPTION#<subscription>, sk=DELIVERY#<delivery_id>``; a
subscription's deliveries are one Query.
"""

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Self

DeliveryStatus = Literal["pending", "delivered", "abandoned"]


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

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"SUBSCRIPTION#{self.subscription_id}", "sk": f"DELIVERY#{self.delivery_id}"}

    def to_record(self) -> dict[str, Any]:
        return {**self.key, **asdict(self), "kind": "delivery"}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        return cls(**{k: v for k, v in record.items() if k in cls.__dataclass_fields__})
