"""Okra's raw balances and transaction rows read through the port's RowReader."""

from typing import Any

from banksync.okra.balances import normalise_balance
from banksync.okra.pushed import (
    balance_summary,
    booked_text,
    fetched_balance,
    fetched_transactions,
    pushed_rows,
)
from banksync.okra.transactions import normalise_transaction
from banksync.provider.model import Product
from banksync.provider.records import PushedRow


class OkraRows:
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
