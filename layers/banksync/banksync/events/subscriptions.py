"""Subscription records → the events of a subscriber's endpoint being turned off or on.

Endpoint health (``delivery.health``) turns a webhook off when its endpoint answered
410 Gone (``disabled``) or failed every attempt for days (``failing``); resuming the
subscription turns it back on. Operators' alerting and the subscriber's own
onboarding flows want to hear of both without polling the API.
"""

from typing import Any

from banksync.events.records import StreamRecord
from banksync.events.types import EventType

OFF = ("failing", "disabled")


def is_subscription(record: StreamRecord) -> bool:
    return record.pk.startswith("SUBSCRIPTION#") and record.sk == "SUBSCRIPTION"


def webhook_changed(record: StreamRecord) -> tuple[EventType, str, str, dict[str, Any]] | None:
    """(type, id key, when, detail) if the write moved the webhook between on and off."""
    if record.event_name != "MODIFY":
        return None
    new, old = record.new, record.old
    before, after = _state(old), _state(new)
    if before == after or (before not in OFF and after not in OFF):
        return None
    subscription_id = record.key_id("SUBSCRIPTION")
    detail: dict[str, Any] = {
        "subscription_id": subscription_id,
        "customer_id": _text(new.get("customer")),
        "webhook_state": after,
    }
    if after in OFF:
        at = _text(new.get("webhook_disabled_at")) or record.written_at
        detail["reason"] = _text(new.get("webhook_disabled_reason"))
        kind = EventType.WEBHOOK_DISABLED
    else:
        at = _text(new.get("updated_at")) or record.written_at
        kind = EventType.WEBHOOK_ENABLED
    return kind, f"{subscription_id}:{after}:{at}:{detail.get('reason')}", at, detail


def _state(image: dict[str, Any]) -> str:
    # Records written before endpoint health have no state: their webhook is on.
    return str(image.get("webhook_state") or "enabled")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
