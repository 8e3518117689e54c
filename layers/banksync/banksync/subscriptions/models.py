"""A data-sync subscription as stored: the data-sync payload, plus its state."""

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Self

from banksync.identifiers import ALL_BANKS, identifier_problem
from banksync.provider.names import DEFAULT_PROVIDER, ProviderName

SubscriptionState = Literal["active", "paused"]
# The subscriber's endpoint: "disabled" after a 410 Gone, "failing" after it failed
# every delivery for WEBHOOK_FAILING_AFTER_HOURS; either way nothing is POSTed until
# the subscription is resumed.
WebhookState = Literal["enabled", "disabled", "failing"]
WEBHOOK_STATES: tuple[str, ...] = ("enabled", "disabled", "failing")
SCHEMA_VERSION = 1


def subscription_id_for(
    customer: str, bank: str | None, provider: ProviderName = DEFAULT_PROVIDER
) -> str:
    """One subscription per (provider, customer, bank or all banks): the id is derived
    from them.

    Identifiers hold no newline and no bank is ``*``, so the joined text splits
    back into one tuple only: two never share an id (short of a SHA-256
    collision in 96 bits). The default provider's ids keep the form ids were
    always derived with; another provider's name leads the text.
    """
    for name, value in (("customer", customer), ("bank", bank)):
        problem = None if value is None else identifier_problem(value)
        if problem:
            raise ValueError(f"{name} {problem}")
    text = f"{customer}\n{bank or ALL_BANKS}"
    if provider != DEFAULT_PROVIDER:
        text = f"{provider}\n{text}"
    digest = hashlib.sha256(text.encode()).hexdigest()
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
    # Deliveries per second this subscriber's endpoint is sent at most (None: no limit).
    webhook_rate_per_second: int | None = None
    webhook_payload: str = "full"  # or "thin": no bank data in the notification
    webhook_state: WebhookState = "enabled"
    webhook_disabled_reason: str | None = None
    webhook_disabled_at: str | None = None
    webhook_failing_since: str | None = None  # the first failed attempt since the last 2xx
    # During a rotation's overlap deliveries are signed with both secrets.
    previous_signing_secret: str | None = None  # KMS ciphertext, base64; never shown
    previous_secret_expires_at: str | None = None
    provider: ProviderName = DEFAULT_PROVIDER

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"SUBSCRIPTION#{self.subscription_id}", "sk": "SUBSCRIPTION"}

    def to_record(self) -> dict[str, Any]:
        return {
            **self.key,
            **asdict(self),
            "kind": "subscription",
            "entity": "subscription",
            "schema_version": SCHEMA_VERSION,
            "gsi1pk": f"CUSTOMER#{self.customer}",
            "gsi1sk": f"SUBSCRIPTION#{self.bank or ALL_BANKS}",
            "gsi2pk": "SUBSCRIPTIONS",
            "gsi2sk": f"{self.created_at}#{self.subscription_id}",
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        return cls(**{k: v for k, v in record.items() if k in cls.__dataclass_fields__})

    def public(self) -> dict[str, Any]:
        secret = ("signing_secret", "previous_signing_secret")
        view = {k: v for k, v in asdict(self).items() if k not in secret}
        return {k: v for k, v in view.items() if v is not None}
