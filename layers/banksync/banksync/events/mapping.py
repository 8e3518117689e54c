"""The Pipe's enrichment: filtered DataTable stream records → banksync domain events.

The Pipe's filter lets through only the records an event may come from; this
decides which really are one, from the record's old and new images (a rewrite
that changed nothing a consumer sees is no event). Each record yields at most
one event, and transaction changes are counted into one
``banksync.transactions.changed`` per account, so a batch never yields more
events than it has records: the event bus takes at most 10 entries per batch,
the Pipe's ``BatchSize``.

An event's ``id`` derives from what it reports, so the same change retried
through the Pipe (delivery is at least once) carries the same id: consumers
deduplicate on it.
"""

import hashlib
from typing import Any

from banksync.events.records import StreamRecord
from banksync.events.subscriptions import is_subscription, webhook_changed
from banksync.events.transactions import TransactionChanges, is_transaction_change
from banksync.events.types import EventType
from banksync.provider.names import provider_of

FINISHED_RUN = ("completed", "failed")
ACCOUNT_EVENTS = {
    "reauth_required": EventType.REAUTH_REQUIRED,
    "reauthorised": EventType.REAUTHORISED,
}
# What a consumer of a balance sees change; fetched_at alone moving is no update.
BALANCE_FIELDS = ("ledger", "available", "currency", "as_of")


def domain_events(raw_records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of one batch of stream records: each record's own in the batch's order,
    then one ``transactions.changed`` per account whose transactions changed."""
    events: list[dict[str, Any]] = []
    changes = TransactionChanges()
    for record in map(StreamRecord.from_raw, raw_records):
        if is_transaction_change(record):
            changes.add(record)
        elif (event := single_event(record)) is not None:
            events.append(event)
    return events + [
        envelope(EventType.TRANSACTIONS_CHANGED, key, at, detail)
        for key, at, detail in changes.summaries()
    ]


def single_event(record: StreamRecord) -> dict[str, Any] | None:
    if record.event_name == "REMOVE":
        return None
    if record.pk.startswith("ACCOUNT#") and record.sk == "BALANCE#LATEST":
        return balance_updated(record)
    if record.pk.startswith("REFRESH#") and record.sk == "RUN":
        return refresh_completed(record)
    if record.sk.startswith("EVENT#") and record.new.get("kind") == "account_event":
        return account_event(record)
    if is_subscription(record) and (changed := webhook_changed(record)) is not None:
        return envelope(*changed)
    return None


def balance_updated(record: StreamRecord) -> dict[str, Any] | None:
    if not record.changed(*BALANCE_FIELDS):
        return None
    new, account = record.new, record.key_id("ACCOUNT")
    detail = {
        "account_id": account,
        "provider": provider_of(new),
        "as_of": _text(new.get("as_of")),
        "currency": _text(new.get("currency")),
        "ledger": _minor_units(new.get("ledger")),
        "available": _minor_units(new.get("available")),
    }
    at = _text(new.get("fetched_at")) or record.written_at
    key = ":".join(str(detail[name]) for name in ("account_id", *BALANCE_FIELDS))
    return envelope(EventType.BALANCE_UPDATED, key, at, detail)


def refresh_completed(record: StreamRecord) -> dict[str, Any] | None:
    status = record.new.get("status")
    if status not in FINISHED_RUN or record.old.get("status") == status:
        return None
    new, refresh_id = record.new, record.key_id("REFRESH")
    counts = new.get("counts")
    counts = counts if isinstance(counts, dict) else {}
    detail = {
        "refresh_id": refresh_id,
        "status": status,
        "run_kind": _text(new.get("run_kind")),
        "counts": {str(k): int(v) for k, v in counts.items() if isinstance(v, int)},
        "created_at": _text(new.get("created_at")),
        "finished_at": _text(new.get("finished_at")),
        "error": _text(new.get("error")),
    }
    at = _text(new.get("finished_at")) or _text(new.get("updated_at")) or record.written_at
    return envelope(EventType.REFRESH_COMPLETED, f"{refresh_id}:{status}", at, detail)


def account_event(record: StreamRecord) -> dict[str, Any] | None:
    # A retried write of the same account event is a MODIFY of the same key: not news.
    event_type = ACCOUNT_EVENTS.get(str(record.new.get("event")))
    if event_type is None or record.event_name != "INSERT":
        return None
    new, account = record.new, record.key_id("ACCOUNT")
    at = _text(new.get("at")) or record.written_at
    detail: dict[str, Any] = {"account_id": account}
    if event_type is EventType.REAUTH_REQUIRED:
        reason = (new.get("detail") or {}).get("reason")
        detail["reason"] = _text(reason)
    return envelope(event_type, f"{account}:{record.sk}", at, detail)


def envelope(kind: EventType, key: str, at: str, detail: dict[str, Any]) -> dict[str, Any]:
    """What every event's ``detail`` starts with: its type, a stable id, when it happened."""
    digest = hashlib.sha256(f"{kind}\n{key}".encode()).hexdigest()[:32]
    return {"type": str(kind), "id": f"evt_{digest}", "occurred_at": at, **detail}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _minor_units(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
