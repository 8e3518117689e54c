"""The shapes of the subscriptions' and deliveries' answers and bodies, for the OpenAPI document.

Absent rather than null: these answers leave out a field that has no value.
"""

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from banksync.api.answers import PAGING_NOTE, Described, no_default
from banksync.api.described import TIME
from banksync.provider.model import Product
from banksync.provider.names import ProviderName
from banksync.subscriptions.intervals import Interval

MAX_OVERLAP_HOURS = 24 * 7
DeliveryStatus = Literal["pending", "delivered", "abandoned", "stopped"]
Absent = SkipJsonSchema[None]
Time = Annotated[str, WithJsonSchema(TIME)]


def absent(description: str = "") -> Any:
    """A field left out when it has no value (never ``null``)."""
    return Field(default=None, description=description or None, json_schema_extra=no_default)


class Schedule(Described):
    """The subscription's EventBridge Scheduler schedule."""

    name: str
    expression: str = Field(description="its rate expression, e.g. rate(1 hour)")
    state: Literal["ENABLED", "DISABLED"]


class DeliverySource(Described):
    """The ids of the refresh or pushed update a delivery is about (no bank data)."""

    refresh_id: str | Absent = absent()
    update_id: str | Absent = absent()
    account_id: str | Absent = absent()
    product: str | Absent = absent()
    record: str | Absent = absent()
    customer: str | Absent = absent()
    bank: str | Absent = absent()


class SubscriptionView(Described):
    subscription_id: str = Field(
        description="derived from (provider, customer, bank): one per tuple"
    )
    provider: ProviderName = Field(description="where the customer's accounts are linked")
    customer: str
    products: list[Product]
    interval: Interval
    created_at: str
    updated_at: str
    state: Literal["active", "paused"]
    version: int = Field(description="counts the subscription's changes")
    schedule: Schedule
    webhook_payload: Literal["full", "thin"]
    webhook_state: Literal["enabled", "disabled", "failing"] = Field(
        description="disabled after a 410 Gone, failing after failing every delivery for a "
        "while; either way nothing is sent until the subscription is resumed"
    )
    bank: str | Absent = absent("absent: every bank of the customer")
    webhook_url: str | Absent = absent()
    webhook_rate_per_second: int | Absent = absent()
    webhook_disabled_reason: str | Absent = absent()
    webhook_disabled_at: str | Absent = absent()
    webhook_failing_since: str | Absent = absent()
    previous_secret_expires_at: str | Absent = absent("the previous signing secret's end")


class SubscriptionSaved(SubscriptionView):
    signing_secret: str | Absent = absent(
        "the webhooks' signing secret (standardwebhooks whsec_…), shown when it is created, "
        "and never again"
    )


class SubscriptionPage(Described):
    items: list[SubscriptionView]
    next_token: str | Absent = absent(PAGING_NOTE)


class DeliverySummary(Described):
    delivery_id: str
    webhook_id: str = Field(description="the webhook-id header the subscriber saw")
    subscription_id: str
    event_type: str
    status: DeliveryStatus
    created_at: str
    attempt_count: int
    reason: str | Absent = absent("why it was abandoned or stopped")
    finished_at: str | Absent = absent()
    chain: int | Absent = absent("how many times it was replayed")
    next_attempt_at: str | Absent = absent("while pending")
    last_attempt: dict[str, object] | Absent = absent()
    webhook_url: str | Absent = absent()


class DeliveryDetail(DeliverySummary):
    attempts: list[dict[str, object]]
    first_attempt_at: str | Absent = absent()
    replayed_at: str | Absent = absent()
    source: DeliverySource | Absent = absent()


class DeliveryPage(Described):
    items: list[DeliverySummary]
    next_token: str | Absent = absent(PAGING_NOTE)


class RetryAccepted(Described):
    delivery_id: str
    subscription_id: str
    queued: Literal[1]
    status: Literal["pending"]
    chain: int
    next_attempt_at: str = Field(description="when its next attempt is due: now, or earlier")
    status_url: str


class RecoverAccepted(Described):
    subscription_id: str
    since: str
    queued: int = Field(description="abandoned deliveries queued again")
    more: bool = Field(description="true: more remain in the window; ask again")
    until: str | Absent = absent()
    status_url: str


class SecretRotated(Described):
    subscription_id: str
    signing_secret: str = Field(description="the new secret, shown once")
    version: int
    previous_secret_expires_at: str | Absent = absent(
        "until then deliveries are signed with both secrets"
    )


class RecoverBody(Described):
    """POST /subscriptions/{subscription_id}/recover: the window of abandoned deliveries."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    since: Time
    until: Time | None = Field(default=None, description="later than since (a 400 names it)")


class RotateSecretBody(Described):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    overlap_hours: Annotated[int, Field(ge=0, le=MAX_OVERLAP_HOURS)] | Absent = absent(
        "how long the previous secret keeps signing too; absent: the stack's default"
    )


class EmptyBody(Described):
    """No fields: the body may be left out, or be ``{}``."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
