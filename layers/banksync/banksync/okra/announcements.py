"""A stored Okra webhook, read as the port's Announcement about one record's data.

Okra refreshes every connected account itself and says so by webhook: a
balance (``BALANCE_SUCCESS``), new transactions (``INITIAL_``/``FULL_``/
``PERIODIC_TRANSACTIONS``, with ``new_transactions``), or posted rows the bank
took back (``TRANSACTIONS_DELETED``, with ``removed_transactions``). The
EventsTable keeps the normalised fields and the raw payload; what the push
path needs beyond them (the callback URL, the counts) is read from the raw
payload, and anything malformed there is treated as absent.
"""

import json
from datetime import UTC, datetime
from typing import Any

from banksync.clock import iso
from banksync.provider.announcements import Announcement, Reauthorised

BALANCE_CODES = frozenset({"BALANCE_SUCCESS"})
TRANSACTION_CODES = frozenset(
    {"INITIAL_TRANSACTIONS", "FULL_TRANSACTIONS", "PERIODIC_TRANSACTIONS"}
)
DELETION_CODE = "TRANSACTIONS_DELETED"
DATA_CODES = BALANCE_CODES | TRANSACTION_CODES | {DELETION_CODE}


def announcement_of(event: dict[str, Any]) -> Announcement | None:
    """The data news of the webhook stored as ``event``, or None if it is not any."""
    code = str(event.get("code") or "").upper()
    if code not in DATA_CODES:
        return None
    payload = _payload(event.get("payload"))
    return Announcement(
        event_id=str(event.get("event_id") or ""),
        code=code,
        product="balance" if code in BALANCE_CODES else "transactions",
        record_id=_text(event.get("record_id")),
        customer_id=_text(event.get("customer_id")),
        bank_id=_text(event.get("bank_id")),
        account_id=_text(event.get("account_id")),
        callback_url=_text(payload.get("callback_url")),
        new_transactions=_count(payload.get("new_transactions")),
        removed_transactions=_ids(payload.get("removed_transactions")),
        as_of=_as_of(event.get("ended_at"), str(event.get("received_at") or "")),
        deletion=code == DELETION_CODE,
    )


def _payload(raw: Any) -> dict[str, Any]:
    try:
        payload = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _count(value: Any) -> int | None:
    """A count given as a number or a numeric string; anything else is unknown."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _ids(value: Any) -> tuple[str, ...]:
    """Removed rows as ids, or as rows carrying ``_id``/``id`` (both are seen)."""
    if not isinstance(value, list):
        return ()
    found: list[str] = []
    for entry in value:
        if isinstance(entry, dict):
            entry = entry.get("_id") or entry.get("id")
        if isinstance(entry, str | int) and not isinstance(entry, bool) and str(entry).strip():
            found.append(str(entry).strip())
    return tuple(dict.fromkeys(found))


def _as_of(ended_at: Any, received_at: str) -> str:
    """When the provider's data was taken: its ``ended_at`` if readable and not in the
    future of the receipt, else when banksync received the webhook."""
    if isinstance(ended_at, str):
        try:
            moment = datetime.fromisoformat(ended_at.strip().replace("Z", "+00:00"))
            stamped = iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        except (ValueError, OverflowError):
            return received_at
        return stamped if not received_at or stamped <= received_at else received_at
    return received_at


def reauthorisation_of(event: dict[str, Any]) -> Reauthorised | None:
    """Okra's ``AUTH``/``AUTH_SUCCESS`` webhook: the customer re-authorised at a bank."""
    if event.get("event_type") != "AUTH" or event.get("code") != "AUTH_SUCCESS":
        return None
    return Reauthorised(
        event_id=str(event.get("event_id") or ""),
        customer_id=event.get("customer_id") or None,
        bank_id=event.get("bank_id") or None,
        record_id=str(event.get("record_id") or ""),
        at=str(event.get("received_at") or ""),
    )
