"""A data-sync subscription: Okra's data-sync payload, plus its state."""

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from banksync.subscriptions.intervals import Interval
from banksync.subscriptions.webhook_urls import webhook_url_problem

ProductName = Literal["balance", "transactions"]
SubscriptionState = Literal["active", "paused"]
ALL_BANKS = "*"


class SubscriptionBody(BaseModel):
    """POST /subscriptions. Validate with ``context={"allow_loopback_http": bool}``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    customer: str = Field(min_length=1, max_length=128)
    products: list[ProductName] = Field(min_length=1)
    bank: str | None = Field(default=None, min_length=1, max_length=128)
    interval: Interval = "daily"
    webhook_url: str | None = Field(default=None, min_length=1, max_length=2048)

    @field_validator("products")
    @classmethod
    def distinct(cls, products: list[str]) -> list[str]:
        return list(dict.fromkeys(products))

    @field_validator("webhook_url")
    @classmethod
    def safe_destination(cls, url: str | None, info: ValidationInfo) -> str | None:
        if url is None:
            return None
        context = info.context or {}
        problem = webhook_url_problem(url, bool(context.get("allow_loopback_http")))
        if problem:
            raise ValueError(problem)
        return url


def subscription_id_for(customer: str, bank: str | None) -> str:
    """One subscription per (customer, bank or all banks): the id is derived from both."""
    digest = hashlib.sha256(f"{customer}\n{bank or ALL_BANKS}".encode()).hexdigest()
    return f"sub_{digest[:24]}"


@dataclass
class Subscription:
    subscription_id: str
    customer: str
    products: list[str]
    interval: str
    created_at: str
    updated_at: str
    bank: str | None = None
    webhook_url: str | None = None
    state: SubscriptionState = "active"
    signing_secret: str | None = None  # KMS ciphertext, base64; never shown
    version: int = 1
    schedule: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"SUBSCRIPTION#{self.subscription_id}", "sk": "SUBSCRIPTION"}

    def to_record(self) -> dict[str, Any]:
        return {
            **self.key,
            **asdict(self),
            "kind": "subscription",
            "gsi1pk": f"CUSTOMER#{self.customer}",
            "gsi1sk": f"SUBSCRIPTION#{self.bank or ALL_BANKS}",
            "gsi2pk": "SUBSCRIPTIONS",
            "gsi2sk": f"{self.created_at}#{self.subscription_id}",
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        return cls(**{k: v for k, v in record.items() if k in cls.__dataclass_fields__})

    def public(self) -> dict[str, Any]:
        view = {k: v for k, v in asdict(self).items() if k != "signing_secret"}
        return {k: v for k, v in view.items() if v is not None}
