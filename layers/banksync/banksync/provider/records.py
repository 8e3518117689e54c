"""banksync's normalised balance and transaction: one schema whichever provider sent the
data. Each adapter reads its own raw rows into these fields; storage keeps the raw row
beside them, and re-reads rows stored before they were normalised."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from banksync.provider.model import Product

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


@dataclass(frozen=True, slots=True)
class AccountHints:
    """What pushed data says of the account it belongs to, for registering one banksync
    has never seen (None or empty: the data does not say)."""

    customer_id: str | None = None
    bank_id: str | None = None
    bank_name: str = ""
    nuban: str = ""
    name: str = ""
    currency: str = ""


@dataclass(frozen=True, slots=True)
class PushedRow:
    """One raw balance or transaction row of pushed data, with the account it names."""

    account_id: str | None
    raw: dict[str, Any]
    hints: AccountHints = field(default_factory=AccountHints)


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

    def pushed_rows(self, product: Product, data: dict[str, Any]) -> list[PushedRow]:
        """Pushed ``data``'s rows, each with the account it names: a balance is always
        one row (maybe empty), transactions one per row."""

    def balance_summary(self, balance: dict[str, Any]) -> dict[str, Any]:
        """What a pushed update records of a balance it stored."""

    def fetched_balance(self, data: dict[str, Any]) -> Any:
        """The raw balance in a refresh's ready data (``Ready.data``)."""

    def fetched_transactions(self, data: dict[str, Any]) -> Any:
        """The raw transaction rows in a refresh's ready data (``Ready.data``)."""

    def booked_text(self, row: dict[str, Any]) -> str:
        """The row's booking date as the provider wrote it, for ordering a row whose
        date did not read."""


class RowFunctions:
    """A RowReader made of an adapter's reading functions: an adapter's reader is one
    of these, given its own functions, so no adapter repeats the delegation."""

    def __init__(
        self,
        balance: Callable[[dict[str, Any], str, str, str | None], dict[str, Any]],
        transaction: Callable[[dict[str, Any], str, str | None], dict[str, Any] | None],
        pushed_rows: Callable[[Product, dict[str, Any]], list[PushedRow]],
        balance_summary: Callable[[dict[str, Any]], dict[str, Any]],
        fetched_balance: Callable[[dict[str, Any]], Any],
        fetched_transactions: Callable[[dict[str, Any]], Any],
        booked_text: Callable[[dict[str, Any]], str],
    ) -> None:
        self._balance, self._transaction, self._pushed_rows = balance, transaction, pushed_rows
        self._balance_summary, self._booked_text = balance_summary, booked_text
        self._fetched_balance, self._fetched_transactions = fetched_balance, fetched_transactions

    def balance(
        self,
        balance: dict[str, Any],
        account_id: str,
        as_of: str,
        account_currency: str | None = None,
    ) -> dict[str, Any]:
        return self._balance(balance, account_id, as_of, account_currency)

    def transaction(
        self, row: dict[str, Any], account_id: str, account_currency: str | None = None
    ) -> dict[str, Any] | None:
        return self._transaction(row, account_id, account_currency)

    def pushed_rows(self, product: Product, data: dict[str, Any]) -> list[PushedRow]:
        return self._pushed_rows(product, data)

    def balance_summary(self, balance: dict[str, Any]) -> dict[str, Any]:
        return self._balance_summary(balance)

    def fetched_balance(self, data: dict[str, Any]) -> Any:
        return self._fetched_balance(data)

    def fetched_transactions(self, data: dict[str, Any]) -> Any:
        return self._fetched_transactions(data)

    def booked_text(self, row: dict[str, Any]) -> str:
        return self._booked_text(row)
