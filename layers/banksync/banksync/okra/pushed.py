"""Okra's fetched data in the port's words: its sections, and the account each row names.

Okra's webhook names a customer and a bank but seldom the account; the fetched
data does (``balance.account``, each row's ``account``), as an id or as an
object with ``_id``/``id``, beside what it says of the account.
"""

from typing import Any

from banksync.okra.webhooks import id_of
from banksync.provider.model import Product
from banksync.provider.records import AccountHints, PushedRow

# What a pushed update records of a balance it stored.
BALANCE_SUMMARY = ("ledger_balance", "available_balance", "currency")


def pushed_rows(product: Product, data: dict[str, Any]) -> list[PushedRow]:
    """The balance (always one, maybe empty) or the transaction rows of ``data``."""
    if product == "balance":
        found = data.get("balance")
        balance: dict[str, Any] = found if isinstance(found, dict) else {}
        return [_pushed(balance)]
    listed = data.get("transactions")
    rows: list[Any] = listed if isinstance(listed, list) else []
    return [_pushed(row) for row in rows if isinstance(row, dict)]


def fetched_balance(data: dict[str, Any]) -> Any:
    """The balance section of a callback's data, as stored."""
    return data.get("balance") or {}


def fetched_transactions(data: dict[str, Any]) -> Any:
    """The transaction rows of a callback's data, as stored."""
    return data.get("transactions") or []


def booked_text(row: dict[str, Any]) -> str:
    """The row's booking date as Okra wrote it: it orders a row whose date did not read."""
    return str(row.get("trans_date") or row.get("date") or "")


def balance_summary(balance: dict[str, Any]) -> dict[str, Any]:
    return {key: balance.get(key) for key in BALANCE_SUMMARY}


def _pushed(row: dict[str, Any]) -> PushedRow:
    described = row.get("account")
    about = described if isinstance(described, dict) else {}
    return PushedRow(
        account_id=id_of(described),
        raw=row,
        hints=AccountHints(
            customer_id=id_of(row.get("customer")),
            bank_id=id_of(row.get("bank")),
            bank_name=str(about.get("bank_name") or ""),
            nuban=str(about.get("nuban") or row.get("nuban") or ""),
            name=str(about.get("name") or ""),
            currency=str(row.get("currency") or about.get("currency") or ""),
        ),
    )
