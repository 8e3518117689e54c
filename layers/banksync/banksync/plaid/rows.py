"""Plaid's raw transactions and balances read through the port's RowReader.

A transaction (``/transactions/sync``'s ``added`` and ``modified`` rows):

- id: ``transaction_id``; account: the row's own ``account_id`` (an Item's sync
  covers all its accounts), else the one asked for;
- amount: Plaid's decimal ``amount`` in the currency's minor units (ISO 4217
  exponent), exactly, never through float arithmetic; Plaid's sign is the
  account holder's money *out* when positive, so positive is a ``debit`` and
  negative a ``credit``, and banksync's ``amount`` is the magnitude;
- currency: ``iso_currency_code``; a row with only ``unofficial_currency_code``
  (crypto) has no ISO minor unit, and is refused rather than guessed;
- booked: ``date`` (the posted date, or for a pending row the date it was
  made); ``datetime`` where Plaid has it, else midnight UTC of that date;
  ``authorized_date`` is the value date;
- status: ``pending`` or ``posted``; ``pending_transaction_id`` names the
  pending row a posted one replaces (Plaid removes that pending row in the
  same or an earlier sync);
- description: ``name`` (``merchant_name`` when there is no name); reference:
  ``payment_meta.reference_number``.

A field that must be read and cannot be raises PlaidValueError naming it.
"""

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from banksync.clock import iso
from banksync.okra.amounts import decimal_amount, exponent
from banksync.provider.model import Product
from banksync.provider.records import SCHEMA_VERSION, AccountHints, PushedRow


class PlaidValueError(ValueError):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


def text(value: Any, limit: int = 1024) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:limit]
    return None


def currency_of(row: dict[str, Any], account_currency: str | None = None) -> str:
    code = text(row.get("iso_currency_code")) or text(account_currency)
    if code is None:
        problem = "absent: an unofficial currency has no ISO 4217 minor unit"
        if text(row.get("unofficial_currency_code")) is None:
            problem = "absent"
        raise PlaidValueError("iso_currency_code", problem)
    code = code.upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise PlaidValueError("iso_currency_code", "not an ISO 4217 code")
    return code


def minor_units(value: Any, field: str, currency: str) -> int:
    """Plaid's decimal figure (major units) as signed minor units, exactly."""
    amount = decimal_amount(value)
    if amount is None:
        raise PlaidValueError(field, "missing" if value is None else "not a number")
    scaled = amount.scaleb(exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return int(scaled)


def _booked(row: dict[str, Any]) -> tuple[str, str]:
    raw = row.get("date")
    if isinstance(raw, date) and not isinstance(raw, datetime):
        day = raw
    else:
        try:
            day = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise PlaidValueError("date", "missing" if raw is None else "not a date") from None
    moment = row.get("datetime")
    if isinstance(moment, str) and moment.strip():
        try:
            at = datetime.fromisoformat(moment.strip().replace("Z", "+00:00"))
        except ValueError:
            raise PlaidValueError("datetime", "not an ISO-8601 time") from None
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        return day.isoformat(), iso(at)
    return day.isoformat(), iso(datetime(day.year, day.month, day.day, tzinfo=UTC))


def normalise_transaction(
    row: dict[str, Any], account_id: str, account_currency: str | None = None
) -> dict[str, Any] | None:
    provider_id = text(row.get("transaction_id"))
    if provider_id is None:
        return None
    currency = currency_of(row, account_currency)
    signed = minor_units(row.get("amount"), "amount", currency)
    booked_date, booked_at = _booked(row)
    meta = row.get("payment_meta")
    authorised = row.get("authorized_date")
    return {
        "transaction_id": provider_id,
        "account_id": text(row.get("account_id")) or account_id,
        "amount": abs(signed),
        # Plaid: positive is money leaving the account.
        "direction": "credit" if signed < 0 else "debit",
        "currency": currency,
        "booked_date": booked_date,
        "booked_at": booked_at,
        "value_date": str(authorised) if authorised else None,
        "description": text(row.get("name")) or text(row.get("merchant_name")),
        "reference": text(meta.get("reference_number")) if isinstance(meta, dict) else None,
        "status": "pending" if row.get("pending") is True else "posted",
        "pending_transaction_id": text(row.get("pending_transaction_id")),
    }


def normalise_balance(
    account: dict[str, Any], account_id: str, as_of: str, account_currency: str | None = None
) -> dict[str, Any]:
    """``account`` is an account of ``/accounts/balance/get``: ``current`` is the ledger,
    ``available`` what Plaid says can be spent (null at some institutions)."""
    balances = account.get("balances")
    balances = balances if isinstance(balances, dict) else {}
    currency = currency_of(balances, account_currency)

    def figure(name: str) -> int | None:
        value = balances.get(name)
        return None if value is None else minor_units(value, f"balances.{name}", currency)

    return {
        "account_id": account_id,
        "ledger": figure("current"),
        "available": figure("available"),
        "currency": currency,
        "as_of": as_of,
        "schema_version": SCHEMA_VERSION,
    }


class PlaidRows:
    """``Ready.data`` is ``{"account_id", "balance": <Plaid's account>}`` for a balance, and
    for transactions ``{"item_id", "added", "modified", "removed", "next_cursor", ...}``
    (``banksync.plaid.sync``)."""

    def balance(
        self,
        balance: dict[str, Any],
        account_id: str,
        as_of: str,
        account_currency: str | None = None,
    ) -> dict[str, Any]:
        return normalise_balance(balance, account_id, as_of, account_currency)

    def transaction(
        self, row: dict[str, Any], account_id: str, account_currency: str | None = None
    ) -> dict[str, Any] | None:
        return normalise_transaction(row, account_id, account_currency)

    def pushed_rows(self, product: Product, data: dict[str, Any]) -> list[PushedRow]:
        if product == "balance":
            account = self.fetched_balance(data)
            balances = account.get("balances")
            code = balances.get("iso_currency_code") if isinstance(balances, dict) else None
            hints = AccountHints(
                nuban=text(account.get("mask")) or "",
                name=text(account.get("official_name")) or text(account.get("name")) or "",
                currency=text(code) or "",
            )
            return [PushedRow(text(data.get("account_id")), account, hints)]
        return [
            PushedRow(text(row.get("account_id")), row) for row in self.fetched_transactions(data)
        ]

    def balance_summary(self, balance: dict[str, Any]) -> dict[str, Any]:
        balances = balance.get("balances")
        balances = balances if isinstance(balances, dict) else {}
        return {
            "ledger_balance": balances.get("current"),
            "available_balance": balances.get("available"),
            "currency": text(balances.get("iso_currency_code")),
        }

    def fetched_balance(self, data: dict[str, Any]) -> dict[str, Any]:
        found = data.get("balance")
        return found if isinstance(found, dict) else {}

    def fetched_transactions(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Added and modified rows alike: both are stored by their id (a modification
        overwrites); removals are ``data["removed"]``."""
        rows: list[dict[str, Any]] = []
        for name in ("added", "modified"):
            found = data.get(name)
            if isinstance(found, list):
                rows += [row for row in found if isinstance(row, dict)]
        return rows

    def booked_text(self, row: dict[str, Any]) -> str:
        return str(row.get("date") or "")
