"""The client's ready data (``Ready.data``) in the port's words.

Mono's balance and transaction answers do not name the account (the URL
does), so the client's ready data carries it beside Mono's own data:

- balance: ``{"account_id", "balance": <Mono's balance data>}``;
- transactions: ``{"account_id", "transactions": [<Mono's rows>], "total",
  "pages", "complete"}``.
"""

from typing import Any

from banksync.mono.values import currency, text
from banksync.provider.model import Product
from banksync.provider.records import AccountHints, PushedRow


def pushed_rows(product: Product, data: dict[str, Any]) -> list[PushedRow]:
    """The balance (always one, maybe empty) or the transaction rows of ``data``."""
    account_id = text(data.get("account_id"))
    if product == "balance":
        balance = fetched_balance(data)
        hints = AccountHints(
            nuban=text(balance.get("account_number")) or "",
            name=text(balance.get("name")) or "",
            currency=currency(balance.get("currency")) or "",
        )
        return [PushedRow(account_id=account_id, raw=balance, hints=hints)]
    return [PushedRow(account_id=account_id, raw=row) for row in fetched_transactions(data)]


def fetched_balance(data: dict[str, Any]) -> dict[str, Any]:
    found = data.get("balance")
    return found if isinstance(found, dict) else {}


def fetched_transactions(data: dict[str, Any]) -> list[dict[str, Any]]:
    found = data.get("transactions")
    return [row for row in found if isinstance(row, dict)] if isinstance(found, list) else []


def booked_text(row: dict[str, Any]) -> str:
    """The row's date as Mono wrote it: it orders a row whose date did not read."""
    return str(row.get("date") or "")
