"""One provider call for one item at a time, and where its result is stored."""

from collections.abc import Iterator
from typing import TYPE_CHECKING

from banksync.bankdata.store import BankDataStore
from banksync.budget.limiter import Priority, ProviderBudget
from banksync.budget.purse import BudgetPurse
from banksync.budget.turns import BudgetTurns
from banksync.provider.model import Failed, Ready, ReauthRequired, Started, as_product
from banksync.provider.names import DEFAULT_PROVIDER, ProviderName, ProviderOffError
from banksync.provider.port import Provider
from banksync.provider_registry import row_reader
from banksync.refresh.model import ItemStatus, RefreshItem
from banksync.refresh.request import ItemSpec, StartRequest

if TYPE_CHECKING:
    from banksync.provider_desk import ProviderDesk


class ItemSteps:
    def __init__(
        self,
        provider: Provider,
        bank: BankDataStore,
        budget: ProviderBudget | None = None,
        desk: "ProviderDesk | None" = None,
    ) -> None:
        self.provider = provider
        self.bank = bank
        self.priority: Priority = "scheduled"
        self.budget = budget
        self.desk = desk
        self.provider_name: ProviderName = DEFAULT_PROVIDER
        # What this round stored, by account and product: marked on the profile at
        # the round's end (``mark_stored``), one write per account.
        self.stored: dict[str, dict[str, str]] = {}

    def serve(self, name: ProviderName, priority: Priority) -> None:
        """From here on, calls go to provider ``name`` through its own budget, each
        taking a budget token at ``priority``."""
        if name != self.provider_name:
            if self.desk is None:
                raise ProviderOffError(name)
            self.provider, self.budget = self.desk.provider(name), self.desk.budget(name)
            self.provider_name = name
        self.use_priority(priority)

    @property
    def budget(self) -> ProviderBudget | None:
        return self.purse.budget if self.purse is not None else None

    @budget.setter
    def budget(self, budget: ProviderBudget | None) -> None:
        self.purse = BudgetPurse(budget, self.priority) if budget is not None else None

    def use_priority(self, priority: Priority) -> None:
        """Every provider call from here on takes a budget token at ``priority``."""
        self.priority = priority
        if self.purse is not None:
            # A new invocation: what an earlier round expected and did not make (it
            # ran out of time) is not this one's to take before it counts its own.
            self.purse.priority = priority
            self.purse.expect(0)

    def expect_calls(self, calls: int, under_way: int = 0) -> None:
        """The round about to run means to make ``calls`` provider calls, the first
        ``under_way`` of them for work under way: the budget is asked for them together."""
        if self.purse is not None:
            self.purse.expect(calls, under_way)

    def _admit(self) -> None:
        if self.purse is not None:
            self.provider.admit_with(self.purse.admit)

    def take_turn(self, calls: int, earliest: float) -> float:
        """Seconds until this run's turn at the budget for ``calls`` more calls. Refused
        a call for work under way, a run takes no turn behind new work: the next window
        has room for it, whoever takes that window first; refused new work that had
        its share of the window is back at the window's release, in the turn it had."""
        if self.purse is None or not self.purse.queues:
            return earliest
        return BudgetTurns(self.purse.budget).take(self.priority, calls, earliest)

    def hold(self, seconds: float) -> None:
        """The provider answered 429: everyone in the stack waits, not only this run."""
        if self.budget is not None:
            self.budget.hold(seconds)

    def resolve(self, request: StartRequest, at: str) -> Iterator[ItemSpec]:
        """Every item the request stands for; customers' accounts come from the provider."""
        yield from request.items
        self._admit()
        for wanted in request.customers:
            for account in self.provider.accounts_by_customer(wanted.customer, wanted.bank):
                self.bank.register_account(account, at, self.provider_name)
                for product in wanted.products:
                    yield ItemSpec(
                        account.account_id, product, account.customer_id, wanted.subscription_id
                    )

    def begin(self, item: RefreshItem, at: str) -> None:
        self._admit()
        outcome = self.provider.start_refresh(item.account_id, as_product(item.product))
        if isinstance(outcome, Started):
            item.status, item.started_at = ItemStatus.STARTED, at
            item.callback_url, item.record_id = outcome.callback_url, outcome.record_id
            item.attempts, item.retry_at = 0, None
        else:
            self._finish(item, outcome, at)

    def collect(self, item: RefreshItem, at: str) -> None:
        self._admit()
        outcome = self.provider.fetch_callback(item.callback_url or "", item.announced)
        if isinstance(outcome, Ready):
            self._store(item, outcome, at)
        elif isinstance(outcome, Failed | ReauthRequired):
            self._finish(item, outcome, at)

    def _store(self, item: RefreshItem, ready: Ready, at: str) -> None:
        # The data is as of when the provider was asked, not when it was fetched.
        as_of = item.started_at or at
        rows = row_reader(self.provider_name)
        if item.product == "balance":
            balance = rows.fetched_balance(ready.data)
            self.bank.save_balance(item.account_id, balance, as_of, at, self.provider_name)
            item.balance = rows.balance_summary(balance)
        else:
            transactions = rows.fetched_transactions(ready.data)
            new, updated = self.bank.save_transactions(
                item.account_id, transactions, as_of, self.provider_name
            )
            item.new_transactions, item.updated_transactions = new, updated
        self.stored.setdefault(item.account_id, {})[item.product] = as_of
        item.finish(ItemStatus.SUCCEEDED, at)

    def mark_stored(self) -> None:
        """Mark how fresh each account stored this round is, one profile write each:
        its balance and its transactions usually finish in the same round."""
        stored, self.stored = self.stored, {}
        for account_id, as_of in stored.items():
            self.bank.freshness.mark_synced_together(account_id, as_of)

    def record_unsuccessful(self, item: RefreshItem) -> None:
        """Keep on the account that its last refresh of this product did not succeed."""
        at = item.finished_at or ""
        self.bank.freshness.mark_unsuccessful(
            item.account_id, item.product, str(item.status), item.reason, at
        )

    def _finish(self, item: RefreshItem, outcome: Failed | ReauthRequired, at: str) -> None:
        if isinstance(outcome, ReauthRequired):
            # Scheduled refreshes skip the account until the customer re-authorises.
            self.bank.mark_reauth_required(
                item.account_id, outcome.reason, at, as_of=item.started_at or at
            )
            item.finish(ItemStatus.REAUTH_REQUIRED, at, outcome.reason)
        else:
            item.finish(ItemStatus.FAILED, at, outcome.reason)
