"""Running a sweep: the account registry read page by page, admitted at the budget's rate.

A sweep is a chain of queue messages, one per page of the registry (16
shards, read one after the other). Each page refreshes the accounts whose
data is stale in one execution, and queues the next page with a delay equal
to the time the sweep's share of the provider budget needs for this page's
calls, so that executions start as fast as the budget can serve them, never
faster: nothing waits inside an execution for long, and nothing times out
because the sweep is large. A page that fails is retried by the queue (then
kept in its dead-letter queue); its execution name is derived from the page,
so a retry never starts it twice, and its record is rewritten, not added.
"""

import json
import math
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from banksync.bankdata.accounts import ACCOUNT_SHARDS
from banksync.bankdata.freshness import stale_products
from banksync.bankdata.store import BankDataStore
from banksync.clock import Clock, iso, utc_now
from banksync.observability import logger
from banksync.provider.model import PRODUCTS
from banksync.provider.names import PROVIDER_NAMES, ProviderName, named, provider_of
from banksync.refresh.wake import WakeSignals
from banksync.sweep.model import Sweep, SweepPage
from banksync.sweep.store import SweepStore

# The sweep uses at most this share of the budget (the rest is kept for the others).
SWEEP_SHARE = 0.9
# Provider calls per item the pace assumes: the floor (a refresh and one callback).
# Items that need more (polls, with webhooks lost) make the budget, not the page,
# set the pace, so the budget is kept busy rather than left idle between pages.
CALLS_PER_ITEM = {True: 2, False: 2}
# A page holds the calls of this much of the sweep's budget (SQS delays at most 900 s).
PAGE_SECONDS = 300
MAX_PAGE_ACCOUNTS = 125  # 250 items: one execution's batch
WEBHOOK_TRUST = timedelta(hours=1)


class SweepQueue:
    """The due-work queue, which carries the sweep's page messages."""

    def __init__(self, queue_url: str, client: Any) -> None:
        self._url, self._client = queue_url, client

    def send(self, message: dict[str, Any], delay: float = 0) -> None:
        self._client.send_message(
            QueueUrl=self._url,
            MessageBody=json.dumps(message),
            DelaySeconds=min(900, max(0, math.ceil(delay))),
        )


class SweepLauncher:
    def __init__(
        self, sweeps: SweepStore, queue: SweepQueue, stale_after_hours: int, clock: Clock = utc_now
    ) -> None:
        self.sweeps, self.queue = sweeps, queue
        self.stale_after_hours, self.clock = stale_after_hours, clock

    def launch(self, sweep_id: str, trigger: str) -> bool:
        """Begin a sweep; False while another one is still queueing."""
        now = self.clock()
        sweep = Sweep(sweep_id, iso(now), trigger, self.stale_after_hours)
        if not self.sweeps.begin(sweep, now):
            return False
        try:
            self.queue.send({"kind": "sweep_page", "sweep_id": sweep_id, "shard": 0, "page": 0})
        except Exception:
            self.sweeps.abandon(sweep_id)
            raise
        logger.info("sweep begun", extra={"sweep_id": sweep_id, "trigger": trigger})
        return True


class SweepPager:
    def __init__(
        self,
        sweeps: SweepStore,
        bank: BankDataStore,
        wake: WakeSignals,
        queue: SweepQueue,
        sfn: Any,
        state_machine_arn: str,
        rate_per_minute: int,
        clock: Clock = utc_now,
    ) -> None:
        self.sweeps, self.bank, self.wake, self.queue = sweeps, bank, wake, queue
        self.sfn, self.state_machine_arn = sfn, state_machine_arn
        self.rate, self.clock = rate_per_minute, clock

    def page_size(self, calls_per_item: int) -> int:
        calls = self.rate * SWEEP_SHARE * PAGE_SECONDS / 60
        return max(1, min(MAX_PAGE_ACCOUNTS, math.floor(calls / (calls_per_item * len(PRODUCTS)))))

    def run_page(self, message: dict[str, Any]) -> SweepPage:
        sweep = self.sweeps.get(str(message.get("sweep_id")))
        if sweep is None:
            raise LookupError(f"no sweep {message.get('sweep_id')}")
        shard, number = int(message.get("shard", 0)), int(message.get("page", 0))
        now = self.clock()
        calls_per_item = CALLS_PER_ITEM[self.wake.webhooks_reliable(now, WEBHOOK_TRUST)]
        cursor = message.get("cursor")
        accounts, next_cursor = self.bank.accounts_page(
            shard, self.page_size(calls_per_item), cursor
        )
        page = SweepPage(sweep.sweep_id, shard, number, considered=len(accounts))
        items = self._items(page, accounts, timedelta(hours=sweep.stale_after_hours))
        if items:
            page.refresh_id = f"{sweep.sweep_id}_{shard}_{number}"
            self._start(page.refresh_id, sweep.sweep_id, items)
        self.sweeps.save_page(page)
        self.sweeps.progressed(sweep.sweep_id, iso(now))
        delay = len(items) * calls_per_item * 60 / (self.rate * SWEEP_SHARE)
        self._next(sweep, shard, number, next_cursor, delay)
        return page

    def _items(
        self, page: SweepPage, accounts: list[dict[str, Any]], stale_after: timedelta
    ) -> list[dict[str, str]]:
        now, items = self.clock(), []
        for account in accounts:
            if account.get("reauth_required_at"):
                page.skipped_reauth += 1
                continue
            stale = stale_products(account, PRODUCTS, now, stale_after)
            if not stale:
                page.skipped_fresh += 1
                continue
            page.accounts_queued += 1
            for product in stale:
                items.append(
                    {
                        "account_id": str(account["account_id"]),
                        "product": product,
                        "customer_id": str(account.get("customer_id") or ""),
                        **named(provider_of(account)),
                    }
                )
        page.items_queued = len(items)
        return items

    def _start(self, refresh_id: str, sweep_id: str, items: list[dict[str, str]]) -> None:
        """One execution per provider on the page (a run is one provider's); the default
        provider's, or the first one's, is named after the page."""
        first = True
        for provider in PROVIDER_NAMES:
            mine = [_unnamed(item) for item in items if provider_of(item) == provider]
            if mine:
                name = refresh_id if first else f"{refresh_id}_{provider}"
                self._start_one(name, sweep_id, mine, provider)
                first = False

    def _start_one(
        self, refresh_id: str, sweep_id: str, items: list[dict[str, str]], provider: ProviderName
    ) -> None:
        execution = {
            "refresh_id": refresh_id,
            "items": items,
            "priority": "sweep",
            "sweep_id": sweep_id,
            **named(provider),
        }
        try:
            self.sfn.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=refresh_id,
                input=json.dumps(execution),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise
            logger.info("sweep page already started", extra={"refresh_id": refresh_id})

    def _next(
        self, sweep: Sweep, shard: int, number: int, cursor: dict[str, Any] | None, delay: float
    ) -> None:
        if cursor:
            following = {"shard": shard, "page": number + 1, "cursor": cursor}
        elif shard + 1 < ACCOUNT_SHARDS:
            following = {"shard": shard + 1, "page": 0}
        else:
            self.sweeps.finish_queueing(sweep.sweep_id, iso(self.clock()))
            logger.info("sweep queued", extra={"sweep_id": sweep.sweep_id})
            return
        self.queue.send({"kind": "sweep_page", "sweep_id": sweep.sweep_id, **following}, delay)


def _unnamed(item: dict[str, str]) -> dict[str, str]:
    """A run names its provider once, not on each item."""
    return {k: v for k, v in item.items() if k != "provider"}
