"""Okra's raw balances and transaction rows read through the port's RowReader."""

from banksync.okra.balances import normalise_balance
from banksync.okra.pushed import (
    balance_summary,
    booked_text,
    fetched_balance,
    fetched_transactions,
    pushed_rows,
)
from banksync.okra.transactions import normalise_transaction
from banksync.provider.records import RowFunctions


class OkraRows(RowFunctions):
    def __init__(self) -> None:
        super().__init__(
            normalise_balance,
            normalise_transaction,
            pushed_rows,
            balance_summary,
            fetched_balance,
            fetched_transactions,
            booked_text,
        )
