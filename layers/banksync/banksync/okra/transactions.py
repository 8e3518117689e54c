"""An Okra transaction row as banksync's normalised transaction (``banksync.provider.records``).

Every variant the provider sends is read one way:

- id: ``_id``, else ``id``; a row with neither is not a transaction;
- amount and direction: ``debit`` or ``credit``, a number or a string
  (``1500.5``, ``"1,500.50"``), in minor units; the one present and non-zero
  wins, both non-zero net out, a negative figure flips the direction; none
  readable gives ``amount: null, direction: null`` (the raw row says why);
- currency: the row's, else the account's, upper-cased;
- booked: ``trans_date`` (else ``date``); value: ``cleared_date``; both as
  the provider's own date (``YYYY-MM-DD``) and ``booked_at`` as an instant;
- status: the row's own ``status`` when it says ``pending`` or posted-like,
  else ``pending`` while ``cleared_date`` is present and empty, else ``posted``
  (rows without a ``cleared_date`` field at all are booked ones);
- description: ``notes.desc`` (or ``notes`` as text, ``narration``,
  ``description``); reference: ``ref``;
- ``pending_transaction_id``: the pending row a posted one replaces, when the
  provider names it.
"""

from datetime import UTC, date, datetime
from typing import Any

from banksync.clock import iso
from banksync.okra.amounts import decimal_amount, minor_units

_POSTED = frozenset(
    {"posted", "cleared", "completed", "complete", "successful", "success", "booked"}
)
_PENDING = frozenset({"pending", "processing", "authorised", "authorized"})
MAX_TEXT = 1024


def transaction_id(row: dict[str, Any]) -> str | None:
    found = row.get("_id") if row.get("_id") not in (None, "") else row.get("id")
    if isinstance(found, str | int) and not isinstance(found, bool) and str(found).strip():
        return str(found).strip()
    return None


def normalise_transaction(
    row: dict[str, Any], account_id: str, account_currency: str | None = None
) -> dict[str, Any] | None:
    """The normalised fields of ``row`` (no raw); None when it has no id."""
    provider_id = transaction_id(row)
    if provider_id is None:
        return None
    currency = _text(row.get("currency")) or _text(account_currency)
    currency = currency.upper() if currency else None
    amount, direction = _amount(row, currency)
    booked = _moment(row.get("trans_date") if row.get("trans_date") else row.get("date"))
    value = _moment(row.get("cleared_date"))
    return {
        "transaction_id": provider_id,
        "account_id": account_id,
        "amount": amount,
        "direction": direction,
        "currency": currency,
        "booked_date": booked[0] if booked else None,
        "booked_at": booked[1] if booked else None,
        "value_date": value[0] if value else None,
        "description": _description(row),
        "reference": _text(row.get("ref")),
        "status": _status(row),
        "pending_transaction_id": _text(row.get("pending_transaction_id")),
    }


def _amount(row: dict[str, Any], currency: str | None) -> tuple[int | None, str | None]:
    debit, credit = decimal_amount(row.get("debit")), decimal_amount(row.get("credit"))
    if debit is None and credit is None:
        return None, None
    net = (credit or 0) - (debit or 0)
    if net == 0:
        # Zero: direction from whichever side the provider filled in.
        return 0, "debit" if debit is not None and credit in (None, 0) else "credit"
    minor = minor_units(abs(net), currency)
    return minor, "credit" if net > 0 else "debit"


def _status(row: dict[str, Any]) -> str:
    stated = _text(row.get("status"))
    if stated and stated.lower() in _PENDING:
        return "pending"
    if stated and stated.lower() in _POSTED:
        return "posted"
    if "cleared_date" in row and not row.get("cleared_date"):
        return "pending"
    return "posted"


def _description(row: dict[str, Any]) -> str | None:
    notes = row.get("notes")
    if isinstance(notes, dict):
        found = _text(notes.get("desc")) or _text(notes.get("description"))
        if found:
            return found
    return _text(notes) or _text(row.get("narration")) or _text(row.get("description"))


def _moment(value: Any) -> tuple[str, str] | None:
    """(the provider's own calendar date, the instant in UTC) of an ISO date or time."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            return None
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.date().isoformat(), iso(moment)
    except OverflowError:  # year 1 at a positive offset
        return None


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:MAX_TEXT]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None
