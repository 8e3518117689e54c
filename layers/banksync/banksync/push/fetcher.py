"""The fetch queue → one callback fetch per pushed update, through the provider budget.

Every message names a pushed update; an update that is finished already (a
duplicate message) costs nothing. A fetch that cannot be made now (no budget,
a 429, a 503, data not ready) is not waited for: the update goes back on the
queue with a delay, and the message in hand is done.
"""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from banksync.bankdata.store import BankDataStore
from banksync.budget.limiter import ProviderBudget
from banksync.clock import Clock, iso, utc_now
from banksync.provider.errors import (
    BudgetExhaustedError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitedError,
)
from banksync.provider.model import NotReady, Ready, ReauthRequired, as_product
from banksync.provider.names import DEFAULT_PROVIDER, ProviderName, ProviderOffError
from banksync.provider.port import Provider
from banksync.push.collected import store_pushed_data
from banksync.push.queue import PushQueue
from banksync.push.settings import PushSettings
from banksync.push.updates import PushedUpdate, PushedUpdateStore

if TYPE_CHECKING:
    from banksync.provider_desk import ProviderDesk


class PushFetcher:
    def __init__(
        self,
        updates: PushedUpdateStore,
        provider: Provider,
        bank: BankDataStore,
        queue: PushQueue,
        budget: ProviderBudget,
        settings: PushSettings,
        clock: Clock = utc_now,
        desk: "ProviderDesk | None" = None,
    ) -> None:
        self.updates, self.provider, self.bank = updates, provider, bank
        self.queue, self.budget, self.settings, self.clock = queue, budget, settings, clock
        # Another provider's updates are fetched with its own client and budget.
        self.desk, self.served = desk, DEFAULT_PROVIDER

    def _serve(self, name: ProviderName) -> None:
        if name != self.served:
            if self.desk is None:
                raise ProviderOffError(name)
            self.provider, self.budget = self.desk.provider(name), self.desk.budget(name)
            self.served = name

    def handle(self, message: dict[str, Any]) -> str:
        """What became of the update ``message`` names."""
        update = self.updates.get(str(message.get("record_id")), str(message.get("product")))
        if update is None or update.terminal:
            return "done already"
        self._serve(update.provider)
        budget = self.budget
        # A pushed update is work under way (the provider refreshed): every call, pages too.
        self.provider.admit_with(lambda: budget.take("pushed", under_way=True))
        now = self.clock()
        try:
            outcome = self._fetch(update, now)
        except BudgetExhaustedError as error:
            if now < self._deadline(update):
                self.queue.send(update.record_id, update.product, delay=error.wait_seconds)
                return "waiting for budget"
            update.finish("timed_out", iso(now), "no provider call to spare before the deadline")
            outcome = "finished"
        if outcome == "again" and now >= self._deadline(update):
            update.finish("timed_out", iso(now), f"{update.reason} until the deadline")
            outcome = "finished"
        if not self.updates.save(update):
            return "superseded"
        if outcome == "again":
            self.queue.send(update.record_id, update.product, delay=self._retry_delay(update))
        return update.status if update.terminal else "again"

    def _fetch(self, update: PushedUpdate, now: datetime) -> str:
        at = iso(now)
        product = as_product(update.product)
        url = update.callback_url or self.provider.callback_url_for(update.record_id, product)
        try:
            outcome = self.provider.fetch_callback(url)
        except RateLimitedError as error:
            self.budget.hold(error.retry_after)
            update.reason = "rate limited"
            return "again"
        except ProviderUnavailableError as error:
            update.attempts += 1
            if update.attempts >= self.settings.max_unavailable_attempts:
                update.finish("failed", at, f"unavailable: {error}")
                return "finished"
            update.reason = "unavailable"
            return "again"
        except ProviderError as error:
            update.finish("failed", at, f"{type(error).__name__}: {error}")
            return "finished"
        if isinstance(outcome, Ready):
            try:
                store_pushed_data(self.bank, update, outcome.data, at)
            except LookupError as error:
                update.finish("failed", at, str(error))
            return "finished"
        if isinstance(outcome, NotReady):
            if now >= self._deadline(update):
                update.finish("timed_out", at, "not ready before the deadline")
                return "finished"
            update.reason = f"not ready: {outcome.detail}"
            return "again"
        if isinstance(outcome, ReauthRequired) and update.account_id:
            self.bank.mark_reauth_required(update.account_id, outcome.reason, at, update.as_of)
        status = "reauth_required" if isinstance(outcome, ReauthRequired) else "failed"
        update.finish(status, at, outcome.reason)
        return "finished"

    def _deadline(self, update: PushedUpdate) -> datetime:
        created = datetime.fromisoformat(update.created_at)
        return created + timedelta(seconds=self.settings.deadline_seconds)

    def _retry_delay(self, update: PushedUpdate) -> float:
        if update.reason == "rate limited":
            return 0  # the budget, now held, says when
        if update.reason == "unavailable":
            return self.settings.unavailable_retry_seconds
        return self.settings.not_ready_retry_seconds
