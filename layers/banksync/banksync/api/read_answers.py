"""The shapes of the read API's answers (accounts, balances, transactions, the feed).

Amounts are integers in the currency's minor units, never floats; ``null``
where the provider's figure could not be read (its raw row says why).
"""

from typing import Literal

from pydantic import Field

from banksync.api.answers import PAGING_NOTE, Described
from banksync.provider.model import Product
from banksync.provider.names import ProviderName

RESTART_HINT = "a stale or unknown cursor is a 400: start again without one"


class AccountSummary(Described):
    account_id: str
    provider: ProviderName = Field(description="the provider the account is linked at")
    customer_id: str | None
    bank_id: str | None
    bank_name: str | None
    nuban: str | None
    name: str | None
    currency: str | None
    registered_at: str | None
    reauth_required: bool


class Balance(Described):
    account_id: str
    ledger: int | None = Field(description="minor units")
    available: int | None = Field(description="minor units")
    currency: str | None
    as_of: str
    schema_version: int
    fetched_at: str | None
    raw: dict[str, object] = Field(description="the provider's balance as it came")


class LastRefresh(Described):
    outcome: Literal["succeeded"]
    as_of: str
    by: Literal["provider", "banksync"] = Field(
        description="provider: the provider pushed it; banksync: a refresh fetched it"
    )


class Reauth(Described):
    required: bool
    required_at: str | None
    reason: str | None
    reauthorised_at: str | None


class AccountView(AccountSummary):
    balance: Balance | None = Field(description="the latest balance; null before the first")
    data_age_seconds: dict[Product, int | None] = Field(
        description="seconds since each product was last synced; null: never"
    )
    last_refresh: dict[Product, LastRefresh | None]
    reauth: Reauth


class Transaction(Described):
    """A banksync transaction (schema version 1), the provider's raw row beside it."""

    transaction_id: str
    account_id: str
    amount: int | None = Field(description="minor units, always positive; see direction")
    direction: Literal["debit", "credit"] | None
    currency: str | None
    booked_date: str | None = Field(description="the provider's date, YYYY-MM-DD")
    booked_at: str | None = Field(description="the booking as an instant (ISO-8601, UTC)")
    value_date: str | None
    description: str | None
    reference: str | None
    status: Literal["pending", "posted"] | None
    pending_transaction_id: str | None = Field(
        description="the pending transaction this posted one replaces, when the provider says"
    )
    removed: bool
    first_seen_at: str | None = None
    removed_at: str | None = None
    removed_reason: str | None = None
    replaced_by: str | None = None
    change_seq: int | None = Field(
        default=None, description="the number of its latest change in the account's feed"
    )
    change: Literal["added", "modified", "removed"] | None = None
    changed_at: str | None = Field(default=None, description="when that change was recorded")
    raw: dict[str, object]


class AccountPage(Described):
    items: list[AccountSummary]
    next_token: str | None = Field(default=None, description=PAGING_NOTE)


class BalancePage(Described):
    items: list[Balance]
    next_token: str | None = Field(default=None, description=PAGING_NOTE)


class TransactionPage(Described):
    items: list[Transaction]
    next_token: str | None = Field(default=None, description=PAGING_NOTE)


class SyncPage(Described):
    """One page of the change feed, oldest change first."""

    added: list[Transaction]
    modified: list[Transaction]
    removed: list[Transaction]
    next_cursor: str = Field(description=f"pass it as cursor for the next page; {RESTART_HINT}")
    has_more: bool = Field(description="true: ask again at once with next_cursor")
