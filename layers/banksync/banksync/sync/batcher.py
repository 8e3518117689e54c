"""Turning due work into as few refresh executions as possible.

EventBridge Scheduler puts one message per due subscription (and one a day for
every account) on an SQS queue; the queue hands them to the batcher in
batches, and each batch becomes one execution (more only past
``max_items``), because Standard workflows are billed per transition, not per
item. Execution names derive from the SQS message ids: a retried batch starts
the same executions again, which Step Functions treats as the same run.
"""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import boto3

from banksync.bankdata.store import BankDataStore
from banksync.observability import logger
from banksync.okra.products import PRODUCTS
from banksync.subscriptions.models import Subscription
from banksync.subscriptions.schedules import SubscriptionSchedules
from banksync.subscriptions.service import SubscriptionService
from banksync.subscriptions.store import SubscriptionStore
from banksync.sync.settings import BatcherSettings


@dataclass
class Batch:
    message_ids: list[str] = field(default_factory=list)
    by_key: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    customers: list[dict[str, Any]] = field(default_factory=list)
    skipped_reauth: int = 0

    @property
    def items(self) -> list[dict[str, str]]:
        return list(self.by_key.values())

    def add_item(self, item: dict[str, str]) -> None:
        """One item per (account, product); a subscription's wins, so its webhook is sent."""
        key = (item["account_id"], item["product"])
        if key not in self.by_key or "subscription_id" in item:
            self.by_key[key] = item

    def executions(self, max_items: int) -> list[dict[str, Any]]:
        if not self.items and not self.customers:
            return []
        digest = hashlib.sha256("\n".join(sorted(self.message_ids)).encode()).hexdigest()[:24]
        chunks = [self.items[i : i + max_items] for i in range(0, len(self.items), max_items)]
        inputs = [{"items": chunk} for chunk in chunks] or [{}]
        inputs[0]["customers"] = self.customers
        return [
            {"refresh_id": f"rs_{digest}_{n}", **execution}
            for n, execution in enumerate(inputs)
            if execution.get("items") or execution.get("customers")
        ]


class RefreshBatcher:
    def __init__(
        self,
        subscriptions: SubscriptionService,
        bank: BankDataStore,
        sfn: Any,
        state_machine_arn: str,
        max_items: int = 250,
    ) -> None:
        self.subscriptions, self.bank = subscriptions, bank
        self.sfn, self.state_machine_arn = sfn, state_machine_arn
        self.max_items = max_items

    def add(self, batch: Batch, message_id: str, message: dict[str, Any]) -> None:
        batch.message_ids.append(message_id)
        if message.get("kind") == "all_accounts":
            self.subscriptions.reconcile_all()
            self._add_accounts(batch, self.bank.all_accounts(), PRODUCTS, subscription_id=None)
        elif isinstance(message.get("subscription_id"), str):
            subscription = self.subscriptions.reconcile(message["subscription_id"])
            if subscription is not None and subscription.state == "active":
                self._add_subscription(batch, subscription)
        else:
            raise ValueError("a due message needs a subscription_id or kind=all_accounts")

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
        logger.info(
            "due refreshes batched",
            extra={
                "executions": started,
                "items": len(batch.items),
                "customers": len(batch.customers),
                "skipped_reauth": batch.skipped_reauth,
            },
        )
        return started

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
                }
            )
            return
        self._add_accounts(batch, accounts, subscription.products, subscription.subscription_id)

    def _add_accounts(
        self,
        batch: Batch,
        accounts: list[dict[str, Any]],
        products: Any,
        subscription_id: str | None,
    ) -> None:
        for account in accounts:
            if account.get("reauth_required_at"):
                batch.skipped_reauth += 1
                continue
            for product in products:
                item = {
                    "account_id": account["account_id"],
                    "product": product,
                    "customer_id": account.get("customer_id", ""),
                }
                if subscription_id:
                    item["subscription_id"] = subscription_id
                batch.add_item(item)


def build_batcher(settings: BatcherSettings) -> RefreshBatcher:
    subscriptions = SubscriptionService(
        SubscriptionStore(settings.data_table_name),
        SubscriptionSchedules(settings.schedule_target),
        secrets=None,
    )
    return RefreshBatcher(
        subscriptions,
        BankDataStore(settings.data_table_name),
        boto3.client("stepfunctions"),
        settings.refresh_state_machine_arn,
    )
