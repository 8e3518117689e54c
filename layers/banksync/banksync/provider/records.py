"""banksync's normalised balance and transaction: one schema whichever provider sent the
data. Each adapter reads its own raw rows into these fields; storage keeps the raw row
beside them, and re-reads rows stored before they were normalised."""

from typing import Any, Protocol

SCHEMA_VERSION = 1
# The fields a normalised transaction has, beside its raw row.
TRANSACTION_FIELDS = (
    "transaction_id",
    "account_id",
    "amount",
    "direction",
    "currency",
    "booked_date",
    "booked_at",
    "value_date",
    "description",
    "reference",
    "status",
    "pending_transaction_id",
)


class RowReader(Protocol):
    """A provider's raw balances and transaction rows in banksync's normalised fields."""

    def balance(
        self,
        balance: dict[str, Any],
        account_id: str,
        as_of: str,
        account_currency: str | None = None,
    ) -> dict[str, Any]:
        """Ledger and available in minor units, currency, ``as_of``, schema version."""

    def transaction(
        self, row: dict[str, Any], account_id: str, account_currency: str | None = None
    ) -> dict[str, Any] | None:
        """The ``TRANSACTION_FIELDS`` of ``row``; None when the row has no id."""
