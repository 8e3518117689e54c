"""Turning due work into as few refresh executions as possible.

EventBridge Scheduler puts one message per due subscription on an SQS queue
(and once a day the message that begins the sweep and the schedule repair,
``banksync.sync.daily``); the queue hands them to the batcher in batches, and
each batch of due subscriptions becomes one execution (more only past
``max_items``), because Standard workflows are billed per transition, not per
item. Execution names derive from the SQS message ids: a retried batch starts
the same executions again, which Step Functions treats as the same run.

Daily subscriptions ride the provider's own daily refresh: a product whose
data the provider's push (or any refresh) stored within ``stale_after`` is
skipped (the sweep does the same, page by page).
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import boto3

from banksync.aws_clients import LazyClient
from banksync.bankdata.freshness import stale_products
from banksync.bankdata.store import BankDataStore
from banksync.clock import Clock, iso, utc_now
from banksync.observability import logger
from banksync.provider.names import PROVIDER_NAMES, named, provider_of
from banksync.refresh.wake import WakeSignals
from banksync.subscriptions.intervals import MINUTES
from banksync.subscriptions.models import Subscription
from banksync.subscriptions.schedules import SubscriptionSchedules
from banksync.subscriptions.service import SubscriptionService
from banksync.subscriptions.store import SubscriptionStore
from banksync.sweep.pages import SweepLauncher, SweepPager, SweepQueue
from banksync.sweep.store import SweepStore
from banksync.sync.daily import DAILY_KINDS, DailyWork
from banksync.sync.inflight import InFlight
from banksync.sync.settings import BatcherSettings

# Longer than any run can last (items give up 4 h after their run began, plus the deadline).
INFLIGHT_LIMIT = timedelta(hours=6)


@dataclass
class Batch:
    message_ids: list[str] = field(default_factory=list)
    by_key: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    customers: list[dict[str, Any]] = field(default_factory=list)
    skipped_reauth: int = 0
    skipped_fresh: int = 0
    skipped_busy: int = 0
    # Daily work is done in ``add``: a failed start must not make its chain run twice.
    daily_message_ids: list[str] = field(default_factory=list)

    @property
    def retryable_message_ids(self) -> list[str]:
        return [m for m in self.message_ids if m not in self.daily_message_ids]

    @property
    def items(self) -> list[dict[str, str]]:
        return list(self.by_key.values())

    def add_item(self, item: dict[str, str]) -> None:
        """One item per (account, product); a subscription's wins, so its webhook is sent."""
        key = (item["account_id"], item["product"])
        if key not in self.by_key or "subscription_id" in item:
            self.by_key[key] = item

    def executions(self, max_items: int) -> list[dict[str, Any]]:
        """Each provider's work in executions of its own (a run is one provider's)."""
        if not self.items and not self.customers:
            return []
        digest = hashlib.sha256("\n".join(sorted(self.message_ids)).encode()).hexdigest()[:24]
        inputs: list[dict[str, Any]] = []
        for provider in PROVIDER_NAMES:
            items = [_unnamed(i) for i in self.items if provider_of(i) == provider]
            customers = [_unnamed(c) for c in self.customers if provider_of(c) == provider]
            chunks = [items[i : i + max_items] for i in range(0, len(items), max_items)]
            mine: list[dict[str, Any]] = [{"items": chunk} for chunk in chunks] or [{}]
            mine[0]["customers"] = customers
            inputs += [{**e, **named(provider)} for e in mine if e.get("items") or e["customers"]]
        return [{"refresh_id": f"rs_{digest}_{n}", **e} for n, e in enumerate(inputs)]


class RefreshBatcher:
    def __init__(
        self,
        subscriptions: SubscriptionService,
        bank: BankDataStore,
        sfn: Any,
        state_machine_arn: str,
        daily: DailyWork,
        inflight: InFlight | None = None,
        max_items: int = 250,
        stale_after: timedelta = timedelta(hours=26),
        clock: Clock = utc_now,
    ) -> None:
        self.subscriptions, self.bank = subscriptions, bank
        self.sfn, self.state_machine_arn = sfn, state_machine_arn
        self.daily, self.inflight = daily, inflight
        self.max_items = max_items
        self.stale_after, self.clock = stale_after, clock

    def add(self, batch: Batch, message_id: str, message: dict[str, Any]) -> None:
        batch.message_ids.append(message_id)
        if message.get("kind") in DAILY_KINDS:
            self.daily.handle(message_id, message)
            batch.daily_message_ids.append(message_id)
        elif isinstance(message.get("subscription_id"), str):
            subscription = self.subscriptions.reconcile(message["subscription_id"])
            if subscription is None or subscription.state != "active":
                return
            stale = iso(self.clock() - INFLIGHT_LIMIT)
            if self.inflight is not None and self.inflight.busy(
                subscription.subscription_id, stale
            ):
                batch.skipped_busy += 1  # its last refresh still runs: this tick waits
                return
            self._add_subscription(batch, subscription)
        else:
            raise ValueError("a due message needs a subscription_id or a daily kind")

    def start_or_retry(self, batch: Batch) -> list[str]:
        """Start the batch; if that fails, the message ids to retry: the due subscriptions
        only (daily work in the batch was done already, and must not fork its chain)."""
        try:
            self.start(batch)
        except Exception:
            logger.exception("batch start failed", extra={"messages": len(batch.message_ids)})
            return batch.retryable_message_ids
        return []

    def start(self, batch: Batch) -> list[str]:
        started = []
        for execution in batch.executions(self.max_items):
            try:
                self.sfn.start_execution(
                    stateMachineArn=self.state_machine_arn,
                    name=execution["refresh_id"],
                    input=json.dumps(execution),
                )
            except self.sfn.exceptions.ExecutionAlreadyExists:
                logger.info("batch already started", extra={"refresh_id": execution["refresh_id"]})
            started.append(execution["refresh_id"])
            self._mark_inflight(execution)
        logger.info(
            "due refreshes batched",
            extra={
                "executions": started,
                "items": len(batch.items),
                "customers": len(batch.customers),
                "skipped_reauth": batch.skipped_reauth,
                "skipped_fresh": batch.skipped_fresh,
                "skipped_busy": batch.skipped_busy,
            },
        )
        return started

    def _mark_inflight(self, execution: dict[str, Any]) -> None:
        if self.inflight is None:
            return
        wanted = execution.get("items", []) + execution.get("customers", [])
        at = iso(self.clock())
        for subscription_id in {w["subscription_id"] for w in wanted if w.get("subscription_id")}:
            self.inflight.started(subscription_id, execution["refresh_id"], at)

    def _add_subscription(self, batch: Batch, subscription: Subscription) -> None:
        accounts = self.bank.customer_accounts(subscription.customer, subscription.bank)
        if not accounts:
            # Nothing registered yet: the workflow resolves the customer's accounts.
            batch.customers.append(
                {
                    "customer": subscription.customer,
                    "bank": subscription.bank,
                    "products": subscription.products,
                    "subscription_id": subscription.subscription_id,
                    **named(subscription.provider),
                }
            )
            return
        self._add_accounts(
            batch,
            accounts,
            subscription.products,
            subscription.subscription_id,
            ride_push=MINUTES[subscription.interval] >= MINUTES["daily"],
        )

    def _add_accounts(
        self,
        batch: Batch,
        accounts: list[dict[str, Any]],
        products: Any,
        subscription_id: str | None,
        ride_push: bool = False,
    ) -> None:
        """``ride_push``: daily work skips what the provider's own refresh made fresh."""
        now = self.clock()
        for account in accounts:
            if account.get("reauth_required_at"):
                batch.skipped_reauth += 1
                continue
            wanted = list(products)
            if ride_push:
                wanted = stale_products(account, wanted, now, self.stale_after)
                batch.skipped_fresh += not wanted
            for product in wanted:
                item = {
                    "account_id": account["account_id"],
                    "product": product,
                    "customer_id": account.get("customer_id", ""),
                    **named(provider_of(account)),
                }
                if subscription_id:
                    item["subscription_id"] = subscription_id
                batch.add_item(item)


def _unnamed(work: dict[str, Any]) -> dict[str, Any]:
    """A run names its provider once, not on each item."""
    return {k: v for k, v in work.items() if k != "provider"}


def build_batcher(settings: BatcherSettings) -> RefreshBatcher:
    # One DynamoDB client for every store; Step Functions serves every batch. Only
    # a schedule repair calls the Scheduler and only a sweep queues its pages: those
    # clients are made on first use.
    dynamodb, sfn, table = (
        boto3.client("dynamodb"),
        boto3.client("stepfunctions"),
        settings.data_table_name,
    )
    subscriptions = SubscriptionService(
        SubscriptionStore(table, dynamodb),
        SubscriptionSchedules(settings.schedule_target, LazyClient("scheduler")),
        secrets=None,
    )
    bank = BankDataStore(table, dynamodb)
    sweeps = SweepStore(table, dynamodb)
    queue = SweepQueue(settings.due_refresh_queue_url, LazyClient("sqs"))
    daily = DailyWork(
        SweepLauncher(sweeps, queue, settings.sweep_stale_after_hours),
        SweepPager(
            sweeps,
            bank,
            WakeSignals(table, dynamodb),
            queue,
            sfn,
            settings.refresh_state_machine_arn,
            settings.provider_rate_per_minute,
        ),
        subscriptions,
        queue,
    )
    return RefreshBatcher(
        subscriptions,
        bank,
        sfn,
        settings.refresh_state_machine_arn,
        daily,
        InFlight(table, dynamodb),
        stale_after=timedelta(hours=settings.sweep_stale_after_hours),
    )
