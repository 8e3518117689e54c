"""The domain events banksync publishes on its event bus, by name.

Every event reaches the bus with ``source`` ``banksync`` and ``detail-type``
``banksync.event`` (one Pipe publishes them all, and a Pipe's event-bus target
names one detail type); the event's own name is ``detail.type``, one of these.
"""

from enum import StrEnum

SOURCE = "banksync"
DETAIL_TYPE = "banksync.event"


class EventType(StrEnum):
    BALANCE_UPDATED = "banksync.balance.updated"
    TRANSACTIONS_CHANGED = "banksync.transactions.changed"
    REFRESH_COMPLETED = "banksync.refresh.completed"
    REAUTH_REQUIRED = "banksync.account.reauth_required"
    REAUTHORISED = "banksync.account.reauthorised"
    WEBHOOK_DISABLED = "banksync.subscription.webhook_disabled"
    WEBHOOK_ENABLED = "banksync.subscription.webhook_enabled"
