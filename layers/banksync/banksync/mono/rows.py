"""Mono's raw balances and transaction rows read through the port's RowReader.

A field Mono's data must have and that cannot be read exactly raises
``banksync.mono.values.MonoValueError`` (a ValueError naming the field); the
client refuses such data before it is ever handed out as ready.
"""

from typing import Any

from banksync.mono.balances import balance_summary, normalise_balance
from banksync.mono.pushed import booked_text, fetched_balance, fetched_transactions, pushed_rows
from banksync.mono.transactions import normalise_transaction
from banksync.provider.model import Product
from banksync.provider.records import PushedRow


class MonoRows:
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
        return pushed_rows(product, data)

    def balance_summary(self, balance: dict[str, Any]) -> dict[str, Any]:
        return balance_summary(balance)

    def fetched_balance(self, data: dict[str, Any]) -> Any:
        return fetched_balance(data)

    def fetched_transactions(self, data: dict[str, Any]) -> Any:
        return fetched_transactions(data)

    def booked_text(self, row: dict[str, Any]) -> str:
        return booked_text(row)
