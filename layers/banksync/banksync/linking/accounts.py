"""Register a linked account for a customer, and ask for its re-authorisation link.

Every provider call goes through the provider's budget at on-demand priority: an
operator is waiting for the answer. A 429 holds that provider's budget for the
provider's Retry-After, as every other caller's does.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, cast

from banksync.bankdata.store import BankDataStore
from banksync.budget.limiter import ProviderBudget
from banksync.clock import Clock, iso, utc_now
from banksync.provider.errors import BudgetExhaustedError, ProviderError, RateLimitedError
from banksync.provider.names import ProviderName, provider_of
from banksync.provider.port import Linking
from banksync.provider_desk import ProviderDesk


class UnknownAccountError(LookupError):
    """No stored account of this id at this provider."""

    def __init__(self, account_id: str, provider: str) -> None:
        super().__init__(f"no {provider} account {account_id} is stored")
        self.account_id, self.provider = account_id, provider


class CodeSpentError(Exception):
    """The code was exchanged (it cannot be again) but asking for the account failed:
    the account id is what to retry with."""

    def __init__(self, account_id: str, failure: ProviderError | BudgetExhaustedError) -> None:
        super().__init__(f"the code was exchanged for account {account_id}, then: {failure}")
        self.account_id, self.failure = account_id, failure


@dataclass(frozen=True, slots=True)
class Linked:
    profile: dict[str, Any]  # the stored account
    provider_customer_id: str | None  # the customer the provider named, if any


class AccountLinks:
    def __init__(self, bank: BankDataStore, desk: ProviderDesk, clock: Clock = utc_now) -> None:
        self.bank, self.desk, self.clock = bank, desk, clock

    def link(
        self, provider: ProviderName, customer: str, *, code: str | None, account_id: str | None
    ) -> Linked:
        """Register for ``customer`` the account ``code`` was issued for, or ``account_id``.

        The customer given wins over the provider's: the business knows whose account
        it linked; the provider's is returned beside it.
        """
        client, budget = self._linking(provider)
        with _holding(budget):
            if account_id is None:
                account_id = client.exchange_code(str(code))
                try:
                    said = client.account(account_id)
                except (ProviderError, BudgetExhaustedError) as error:
                    raise CodeSpentError(account_id, error) from error
            else:
                said = client.account(account_id)
        self.bank.register_account(replace(said, customer_id=customer), iso(self.clock()), provider)
        profile = self.bank.account(said.account_id) or {}
        return Linked(profile, said.customer_id or None)

    def reauthorisation_link(
        self, provider: ProviderName, account_id: str, redirect_url: str, reference: str | None
    ) -> tuple[str, str]:
        """(the link the provider issues for the customer, the reference it carries)."""
        client, budget = self._linking(provider)
        stored = self.bank.account(account_id)
        if stored is None or provider_of(stored) != provider:
            raise UnknownAccountError(account_id, provider)
        # The provider echoes it in its re-authorisation webhook: unique per link.
        reference = reference or f"reauth_{secrets.token_hex(8)}"
        with _holding(budget):
            return client.reauthorisation_link(account_id, redirect_url, reference), reference

    def _linking(self, provider: ProviderName) -> tuple[Linking, ProviderBudget]:
        """The provider's client, admitted by its budget (ProviderOffError when off)."""
        client = cast(Linking, self.desk.provider(provider))
        budget = self.desk.budget(provider)
        client.admit_with(lambda: budget.take("on_demand"))
        return client, budget


@contextmanager
def _holding(budget: ProviderBudget) -> Iterator[None]:
    """A 429 holds the provider's budget for its Retry-After, then is raised on."""
    try:
        yield
    except RateLimitedError as error:
        budget.hold(error.retry_after)
        raise
    except CodeSpentError as spent:
        if isinstance(spent.failure, RateLimitedError):
            budget.hold(spent.failure.retry_after)
        raise
