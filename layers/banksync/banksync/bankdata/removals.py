"""Posted transactions the bank took back (the provider's ``TRANSACTIONS_DELETED``).

A removed transaction is kept, marked ``removed_at`` with the record that
removed it, and the removal is a numbered change in the account's feed, so
a consumer reading changes sees a removal rather than a row that silently
vanished; a later refresh that lists the row again does not bring it back.
"""

from collections.abc import Iterable

from banksync.bankdata.transactions import TransactionRows


class TransactionRemovals:
    def __init__(self, rows: TransactionRows) -> None:
        self._rows = rows

    def remove(
        self, account_id: str, transaction_ids: Iterable[str], at: str, record_id: str | None
    ) -> list[str]:
        """Mark the stored ones among ``transaction_ids`` removed; returns those marked now."""
        # Not this account's, not stored, or removed already: nothing to change.
        return self._rows.remove(account_id, transaction_ids, at, record_id)
