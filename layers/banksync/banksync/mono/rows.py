"""Mono's raw balances and transaction rows read through the port's RowReader.

A field Mono's data must have and that cannot be read exactly raises
``banksync.mono.values.MonoValueError`` (a ValueError naming the field); the
client refuses such data before it is ever handed out as ready.
"""

from banksync.mono.balances import balance_summary, normalise_balance
from banksync.mono.pushed import booked_text, fetched_balance, fetched_transactions, pushed_rows
from banksync.mono.transactions import normalise_transaction
from banksync.provider.records import RowFunctions


class MonoRows(RowFunctions):
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
