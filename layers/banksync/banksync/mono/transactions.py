"""A Mono transaction row as banksync's normalised transaction (``banksync.provider.records``).

A v2 row is ``{id, narration, amount, type, balance, date, category}``:

- id: ``id`` (v1 rows had ``_id``, read too); a row with neither is not a transaction;
- amount: ``amount``, already in minor units; direction: ``type`` (debit/credit).
  Either one unreadable refuses the row (MonoValueError naming the field):
  a row stored with a wrong or missing amount would be worse than none;
- booked: ``date`` (ISO-8601), as the calendar date Mono gave and an instant;
  missing or unreadable refuses the row too, since rows are listed by it;
- currency: the row's own (v1 rows carried one), else the account's;
- status: always ``posted``: Mono documents no pending rows;
- description: ``narration``; Mono gives no reference or value date.
"""

from typing import Any

from banksync.mono.values import MonoValueError, currency, instant, minor_units, text

DIRECTIONS = frozenset({"debit", "credit"})


def transaction_id(row: dict[str, Any]) -> str | None:
    for name in ("id", "_id"):
        found = row.get(name)
        if isinstance(found, str | int) and not isinstance(found, bool) and str(found).strip():
            return str(found).strip()
    return None


def normalise_transaction(
    row: dict[str, Any], account_id: str, account_currency: str | None = None
) -> dict[str, Any] | None:
    """The normalised fields of ``row``; None when it has no id; MonoValueError when a
    field it must have cannot be read."""
    provider_id = transaction_id(row)
    if provider_id is None:
        return None
    booked_date, booked_at = instant(row.get("date"), "date")
    return {
        "transaction_id": provider_id,
        "account_id": account_id,
        "amount": minor_units(row.get("amount"), "amount"),
        "direction": direction(row.get("type")),
        "currency": currency(row.get("currency")) or currency(account_currency),
        "booked_date": booked_date,
        "booked_at": booked_at,
        "value_date": None,
        "description": text(row.get("narration")),
        "reference": None,
        "status": "posted",
        "pending_transaction_id": None,
    }


def direction(value: Any) -> str:
    word = value.strip().lower() if isinstance(value, str) else None
    if word not in DIRECTIONS:
        raise MonoValueError("type", "missing" if value is None else "neither debit nor credit")
    return word
