"""What the refresh and push flows ask of a provider (a structural type: an adapter
satisfies it without importing it)."""

from collections.abc import Callable
from typing import Protocol

from banksync.provider.model import CallbackOutcome, Product, ProviderAccount, StartOutcome

# Asked before every provider request: 0 to go ahead, else the seconds to wait
# (the request is then not sent: BudgetExhaustedError).
Admission = Callable[[], float]


class Provider(Protocol):
    def admit_with(self, admission: Admission) -> None:
        """Every request from here on, pages included, is admitted by ``admission``
        (the stack's provider budget, at the caller's priority)."""

    def start_refresh(self, account_id: str, product: Product) -> StartOutcome:
        """Ask the provider for fresh data of one account's product."""

    def fetch_callback(self, callback_url: str, announced: bool = False) -> CallbackOutcome:
        """The refreshed data, every page of it, once the provider has it ready.
        ``announced``: the provider's webhook said it is ready, so an adapter that
        would first ask whether it is may skip asking."""

    def callback_url_for(self, record_id: str, product: Product) -> str:
        """Where the data of ``record_id`` is, for a webhook that did not say."""

    def accounts_by_customer(self, customer: str, bank: str | None = None) -> list[ProviderAccount]:
        """A customer's accounts (at ``bank``, if given)."""


class Linking(Provider, Protocol):
    """A provider whose linked accounts the business registers itself (Mono): by the
    widget's code or an account id it holds, and re-authorised through a link."""

    def exchange_code(self, code: str) -> str:
        """The permanent account id for the widget's one-time code."""

    def account(self, account_id: str) -> ProviderAccount:
        """What the provider says of one account."""

    def reauthorisation_link(self, account_id: str, redirect_url: str, reference: str) -> str:
        """The link the customer follows to re-authorise ``account_id``."""
