"""A stored provider webhook, read as news about one record's data.

Okra refreshes every connected account itself and says so by webhook: a
balance (``BALANCE_SUCCESS``), new transactions (``INITIAL_``/``FULL_``/
``PERIODIC_TRANSACTIONS``, with ``new_transactions``), or posted rows the bank
took back (``TRANSACTIONS_DELETED``, with ``removed_transactions``). The
EventsTable keeps the normalised fields and the raw payload; what the push
path needs beyond them (the callback URL, the counts) is read from the raw
payload, and anything malformed there is treated as absent.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

from banksync.clock import iso

BALANCE_CODES = frozenset({"BALANCE_SUCCESS"})
TRANSACTION_CODES = frozenset(
    {"INITIAL_TRANSACTIONS", "FULL_TRANSACTIONS", "PERIODIC_TRANSACTIONS"}
)
DELETION_CODE = "TRANSACTIONS_DELETED"
DATA_CODES = BALANCE_CODES | TRANSACTION_CODES | {DELETION_CODE}


@dataclass(frozen=True, slots=True)
class DataWebhook:
    event_id: str
    code: str
    product: str
    record_id: str | None
    customer_id: str | None
    bank_id: str | None
    account_id: str | None
    callback_url: str | None
    new_transactions: int | None
    removed_transactions: tuple[str, ...]
    as_of: str

    @property
    def deletion(self) -> bool:
        return self.code == DELETION_CODE

    @property
    def nothing_new(self) -> bool:
        """The provider refreshed and found no new rows: there is nothing to fetch."""
        return self.product == "transactions" and self.new_transactions == 0

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Self | None:
        """The data webhook stored as ``event``, or None if it is not one."""
        code = str(event.get("code") or "").upper()
        if code not in DATA_CODES:
            return None
        payload = _payload(event.get("payload"))
        return cls(
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
