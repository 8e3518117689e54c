"""What a provider's webhook announces about its data, in banksync's words, and the
fields banksync indexes of every webhook it receives.

A provider refreshes connected accounts itself and says so by webhook: a
product's data is ready at a record (with, for transactions, how many rows are
new: none means there is nothing to fetch), or rows the bank took back were
removed. The adapter reads a stored webhook into an Announcement; the push path
acts on it without knowing the provider's codes.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from banksync.provider.model import Product


@dataclass(frozen=True, slots=True)
class IndexedWebhook:
    """The few fields of an inbound webhook that the EventsTable indexes."""

    event_type: str | None = None
    code: str | None = None
    record_id: str | None = None
    customer_id: str | None = None
    bank_id: str | None = None
    account_id: str | None = None
    env: str | None = None
    status: str | None = None
    ended_at: str | None = None

    def present_fields(self) -> dict[str, str]:
        return {name: value for name, value in asdict(self).items() if value is not None}


@dataclass(frozen=True, slots=True)
class Announcement:
    """Data news about one record: ready to fetch, nothing new, or rows removed."""

    event_id: str
    code: str  # the provider's own word for it, for the logs
    product: Product
    record_id: str | None
    customer_id: str | None
    bank_id: str | None
    account_id: str | None
    callback_url: str | None
    new_transactions: int | None
    removed_transactions: tuple[str, ...]
    as_of: str
    deletion: bool = False

    @property
    def nothing_new(self) -> bool:
        """The provider refreshed and found no new rows: there is nothing to fetch."""
        return self.product == "transactions" and self.new_transactions == 0


@dataclass(frozen=True, slots=True)
class Reauthorised:
    """The customer re-authorised at a bank (or one account): the refresh holds lift."""

    event_id: str
    customer_id: str | None
    bank_id: str | None
    record_id: str
    at: str
    account_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReauthNeeded:
    """The provider says an account can be refreshed only after its customer
    re-authorises: scheduled refreshes skip it until a Reauthorised lifts the mark."""

    event_id: str
    account_id: str
    at: str
    reason: str


@dataclass(frozen=True, slots=True)
class AccountLinked:
    """A customer linked an account at the provider: banksync registers it."""

    event_id: str
    account_id: str
    customer_id: str | None
    at: str
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookCredential:
    """Where a provider's webhooks carry the shared secret banksync checks them by."""

    header: str  # lower case
    bearer: bool = False  # the header reads "Bearer <secret>"


class WebhookReader(Protocol):
    """How a provider's inbound webhooks are authenticated, keyed, indexed and read."""

    @property
    def credential(self) -> WebhookCredential:
        """The header the provider's webhooks carry their shared secret in."""

    def event_key(self, payload: Mapping[str, Any]) -> str:
        """A key equal for every delivery of one webhook and different for any other."""

    def indexed(self, payload: Mapping[str, Any]) -> IndexedWebhook:
        """The fields banksync indexes; nothing here rejects a payload."""

    def announcements(self, event: dict[str, Any]) -> tuple[Announcement, ...]:
        """The data news of the stored webhook ``event``, one per product it is about
        (none if it is not data news)."""

    def reauthorisation(self, event: dict[str, Any]) -> Reauthorised | None:
        """The re-authorisation the stored webhook ``event`` reports, if it is one."""

    def reauth_needed(self, event: dict[str, Any]) -> ReauthNeeded | None:
        """The re-authorisation the stored webhook ``event`` asks for, if it does."""

    def account_linked(self, event: dict[str, Any]) -> AccountLinked | None:
        """The account the stored webhook ``event`` says was linked, if it does."""
