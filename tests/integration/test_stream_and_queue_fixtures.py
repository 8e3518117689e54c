"""The queue- and stream-triggered functions invoked with their event fixtures."""

import json

import boto3
import pytest

from banksync.bankdata.store import BankDataStore
from banksync.delivery.store import DeliveryStore
from banksync.provider.model import ProviderAccount
from devstack.lambdas import LambdaContext
from devstack.sandbox import demo_world
from tests.support.delivery import Delivering
from tests.support.lambdas import load_event
from tests.support.sync import SyncHarness

CUSTOMER, BANK = "6740a0e1b2c3d4e5f6000a01", "5d6fe57a4099cc4b210bbec0"
ACCOUNT = "6740a2b3c4d5e6f7a8000c01"


@pytest.fixture
def bank(sync: SyncHarness) -> BankDataStore:
    store = BankDataStore(sync.stack.refs["DataTable"], sync.aws.client("dynamodb"))
    store.register_account(
        ProviderAccount(ACCOUNT, CUSTOMER, BANK, "Access Bank", "0123456789", "Savings", "NGN"),
        "2026-11-01T00:00:00.000Z",
    )
    return store


def test_due_refresh_batch_fixture(sync: SyncHarness, bank: BankDataStore) -> None:
    sync.refresh.use(demo_world(ready_after=20))
    sync.subscribe({"customer": CUSTOMER, "bank": BANK, "products": ["balance"]})
    answer = sync.batcher.lambda_handler(load_event("due_refresh_batch.json"), LambdaContext())
    assert answer == {"batchItemFailures": []}
    (execution,) = sync.executions()
    items = json.loads(execution["input"])["items"]
    # The subscription's balance now; the daily message began the sweep, paged apart.
    assert [(i["product"], "subscription_id" in i) for i in items] == [("balance", True)]
    sync.refresh.finish(execution["name"])
    sync.drain_due_work()
    sweeps = [json.loads(e["input"]) for e in sync.executions()]
    swept = [i for e in sweeps if e.get("priority") == "sweep" for i in e["items"]]
    # The balance was just refreshed (fresh); the transactions never were.
    assert [(i["account_id"], i["product"]) for i in swept] == [(ACCOUNT, "transactions")]
    for started in sweeps:
        sync.refresh.finish(started["refresh_id"])


def test_events_table_auth_success_fixture(sync: SyncHarness, bank: BankDataStore) -> None:
    bank.mark_reauth_required(
        ACCOUNT, "bank asks", "2026-11-20T00:00:00.000Z", "2026-11-20T00:00:00.000Z"
    )
    answer = sync.listener.lambda_handler(
        load_event("events_table_auth_success.json"), LambdaContext()
    )
    assert answer == {"batchItemFailures": []}
    account = bank.account(ACCOUNT)
    assert account is not None
    assert "reauth_required_at" not in account


def test_item_finished_and_delivery_attempt_fixtures(
    delivering: Delivering, aws: boto3.Session
) -> None:
    sync = delivering.sync
    created = sync.subscribe(
        {
            "customer": CUSTOMER,
            "bank": BANK,
            "products": ["balance"],
            "webhook_url": "https://hooks.example.com/okra",
        }
    )
    delivering.subscriber.secret = created["signing_secret"]

    notified = delivering.notifier.lambda_handler(
        load_event("data_table_item_finished.json"), LambdaContext()
    )
    assert notified == {"batchItemFailures": []}
    delivered = delivering.deliverer.lambda_handler(
        load_event("delivery_attempt.json"), LambdaContext()
    )
    assert delivered == {"batchItemFailures": []}

    (delivery,) = DeliveryStore(
        sync.stack.refs["DataTable"], aws.client("dynamodb")
    ).of_subscription(created["subscription_id"])
    assert (delivery.status, delivery.attempt_count) == ("delivered", 1)
    (received,) = delivering.subscriber.received
    assert received["payload"]["data"]["balance"]["available_balance"] == 250431.75
