"""Scheduled data sync: a schedule fires, the batcher batches, the workflow refreshes."""

import json
from typing import Any

import pytest

from banksync.bankdata.store import BankDataStore
from banksync.subscriptions.models import subscription_id_for
from devstack.queues import QueuePump
from devstack.sandbox import AccountSpec, Scenario, World
from tests.support.lambdas import invoke, load_event
from tests.support.sandbox import provider_account
from tests.support.sync import SyncHarness

GTB = "5d6fe57a4099cc4b210bbeb3"
ACCESS = "5d6fe57a4099cc4b210bbec0"


def account(account_id: str, customer: str, bank: str = ACCESS, **scenario: Any) -> AccountSpec:
    return AccountSpec(
        account_id, customer, bank_id=bank, scenario=Scenario(ready_after=20, **scenario)
    )


def register(bank: BankDataStore, spec: AccountSpec) -> None:
    bank.register_account(provider_account(spec), "2026-11-01T00:00:00.000Z")


@pytest.fixture
def bank(sync: SyncHarness) -> BankDataStore:
    return BankDataStore(sync.stack.refs["DataTable"], sync.aws.client("dynamodb"))


def started_inputs(sync: SyncHarness) -> list[dict[str, Any]]:
    return [json.loads(e["input"]) for e in sync.executions()]


def test_a_scheduled_tick_reaches_the_workflow_and_stores_results(
    sync: SyncHarness, bank: BankDataStore
) -> None:
    spec = account("acct-1", "cust-1")
    sync.refresh.use(World(accounts=[spec]))
    register(bank, spec)
    subscription = sync.subscribe({"customer": "cust-1", "bank": ACCESS, "products": ["balance"]})

    sync.fire(subscription["subscription_id"])
    assert sync.deliver_due_work() == {"batchItemFailures": []}

    (execution_input,) = started_inputs(sync)
    assert execution_input["items"] == [
        {
            "account_id": "acct-1",
            "product": "balance",
            "customer_id": "cust-1",
            "subscription_id": subscription["subscription_id"],
        }
    ]
    assert sync.refresh.finish(execution_input["refresh_id"]).status == "SUCCEEDED"
    assert bank.latest_balance("acct-1") is not None


def test_a_customer_with_no_registered_accounts_is_resolved_by_the_workflow(
    sync: SyncHarness, bank: BankDataStore
) -> None:
    sync.refresh.use(
        World(accounts=[account("acct-1", "cust-1"), account("acct-2", "cust-1", GTB)])
    )
    subscription = sync.subscribe({"customer": "cust-1", "products": ["balance", "transactions"]})
    sync.fire(subscription["subscription_id"])
    sync.deliver_due_work()

    (execution_input,) = started_inputs(sync)
    assert execution_input["customers"] == [
        {
            "customer": "cust-1",
            "bank": None,
            "products": ["balance", "transactions"],
            "subscription_id": subscription["subscription_id"],
        }
    ]
    sync.refresh.finish(execution_input["refresh_id"])
    assert {a["account_id"] for a in bank.customer_accounts("cust-1")} == {"acct-1", "acct-2"}


def test_many_due_subscriptions_share_one_execution(sync: SyncHarness, bank: BankDataStore) -> None:
    specs = [account(f"acct-{i:02d}", f"cust-{i:02d}") for i in range(30)]
    sync.refresh.use(World(accounts=specs, requests_per_minute=10_000))
    for spec in specs:
        register(bank, spec)
        subscription = sync.subscribe({"customer": spec.customer_id, "products": ["balance"]})
        sync.fire(subscription["subscription_id"])

    sync.deliver_due_work()
    (execution_input,) = started_inputs(sync)
    assert len(execution_input["items"]) == 30
    assert sync.refresh.finish(execution_input["refresh_id"]).status == "SUCCEEDED"


def test_a_retried_batch_starts_no_second_execution(sync: SyncHarness, bank: BankDataStore) -> None:
    spec = account("acct-1", "cust-1")
    sync.refresh.use(World(accounts=[spec]))
    register(bank, spec)
    subscription = sync.subscribe({"customer": "cust-1", "products": ["balance"]})
    sync.fire(subscription["subscription_id"])
    pump_event: dict[str, Any] = {}

    def capture_then_run(event: dict[str, Any]) -> Any:
        pump_event.update(event)
        return sync._batcher(event)

    QueuePump(
        sync.aws, sync.stack.refs["DueRefreshQueue"], sync.stack.attributes["DueRefreshQueue.Arn"]
    ).deliver(capture_then_run)
    sync._batcher(pump_event)  # SQS redelivers the same messages
    assert len(sync.executions()) == 1
    sync.refresh.finish(started_inputs(sync)[0]["refresh_id"])


def test_paused_and_orphaned_schedules_are_repaired_when_they_fire(sync: SyncHarness) -> None:
    sync.refresh.use(World(accounts=[account("acct-1", "cust-1")]))
    paused = sync.subscribe({"customer": "cust-1", "bank": "b1", "products": ["balance"]})
    orphan = sync.subscribe({"customer": "cust-1", "bank": "b2", "products": ["balance"]})
    service = sync.api.subscription_service
    # A pause whose schedule update was lost, and a subscription whose delete was.
    stored = service.store.get(paused["subscription_id"])
    stored.state, stored.version = "paused", stored.version + 1
    service.store.save(stored, stored.version - 1)
    service.store.delete(service.store.get(orphan["subscription_id"]))

    sync.fire(paused["subscription_id"])
    sync.fire(orphan["subscription_id"])
    sync.deliver_due_work()

    assert sync.executions() == []
    assert sync.schedule(paused["subscription_id"])["State"] == "DISABLED"
    with pytest.raises(sync.aws.client("scheduler").exceptions.ResourceNotFoundException):
        sync.schedule(orphan["subscription_id"])


def test_a_malformed_message_fails_alone(sync: SyncHarness, bank: BankDataStore) -> None:
    spec = account("acct-1", "cust-1")
    sync.refresh.use(World(accounts=[spec]))
    register(bank, spec)
    subscription = sync.subscribe({"customer": "cust-1", "products": ["balance"]})
    sqs = sync.aws.client("sqs")
    bad = sqs.send_message(QueueUrl=sync.stack.refs["DueRefreshQueue"], MessageBody='{"nope": 1}')
    sync.fire(subscription["subscription_id"])

    response = sync.deliver_due_work()
    assert response == {"batchItemFailures": [{"itemIdentifier": bad["MessageId"]}]}
    assert len(sync.executions()) == 1
    sync.refresh.finish(started_inputs(sync)[0]["refresh_id"])


def test_the_daily_schedule_refreshes_every_account_except_held_ones(
    sync: SyncHarness, bank: BankDataStore
) -> None:
    specs = [account(f"acct-{i}", f"cust-{i}") for i in range(3)]
    sync.refresh.use(World(accounts=specs))
    for spec in specs:
        register(bank, spec)
    bank.mark_reauth_required(
        "acct-2", "bank asks", "2026-11-20T00:00:00.000Z", "2026-11-20T00:00:00.000Z"
    )

    daily = sync.schedule(sync.stack.refs["DailyRefreshSchedule"])
    assert daily["ScheduleExpression"] == "rate(1 day)"
    assert daily["State"] == "ENABLED"
    sync.fire(sync.stack.refs["DailyRefreshSchedule"])
    sync.drain_due_work()

    inputs = started_inputs(sync)
    refreshed = {(i["account_id"], i["product"]) for e in inputs for i in e["items"]}
    assert refreshed == {(f"acct-{i}", p) for i in (0, 1) for p in ("balance", "transactions")}
    assert {e["priority"] for e in inputs} == {"sweep"}
    for execution_input in inputs:
        sync.refresh.finish(execution_input["refresh_id"])


def test_reauth_marks_the_account_until_the_customer_reauthorises(
    sync: SyncHarness, bank: BankDataStore
) -> None:
    spec = account("6740a2b3c4d5e6f7a8000c01", "6740a0e1b2c3d4e5f6000a01", reauth_required=True)
    sync.refresh.use(World(accounts=[spec]))
    register(bank, spec)
    sid = sync.subscribe({"customer": spec.customer_id, "products": ["balance"]})["subscription_id"]

    sync.fire(sid)
    sync.deliver_due_work()
    (first,) = started_inputs(sync)
    sync.refresh.finish(first["refresh_id"])
    marked = bank.account(spec.account_id)
    assert marked is not None
    assert marked["reauth_required_at"]
    assert [e["event"] for e in bank.account_events(spec.account_id)] == ["reauth_required"]

    sync.fire(sid)
    sync.deliver_due_work()
    assert len(sync.executions()) == 1  # skipped: no hammering the bank

    # The customer re-authorises: the provider's AUTH webhook, then the stream.
    assert invoke(sync.receiver, load_event("webhook_auth_success.json"))["statusCode"] == 200
    sync.pump_events_stream()
    cleared = bank.account(spec.account_id)
    assert cleared is not None
    assert "reauth_required_at" not in cleared
    assert [e["event"] for e in bank.account_events(spec.account_id)] == [
        "reauth_required",
        "reauthorised",
    ]

    sync.fire(sid)
    sync.deliver_due_work()
    assert len(sync.executions()) == 2


def test_the_listener_ignores_other_webhooks(sync: SyncHarness, bank: BankDataStore) -> None:
    spec = account("6740a2b3c4d5e6f7a8000c01", "6740a0e1b2c3d4e5f6000a01")
    register(bank, spec)
    bank.mark_reauth_required(
        spec.account_id, "bank asks", "2026-11-20T00:00:00.000Z", "2026-11-20T00:00:00.000Z"
    )
    invoke(sync.receiver, load_event("webhook_balance_success.json"))
    sync.pump_events_stream()
    still = bank.account(spec.account_id)
    assert still is not None
    assert still["reauth_required_at"]


def test_subscription_ids_are_stable_for_the_scheduler(sync: SyncHarness) -> None:
    created = sync.subscribe({"customer": "c", "bank": "b", "products": ["balance"]})
    assert created["subscription_id"] == subscription_id_for("c", "b")
    assert sync.schedule(created["subscription_id"])["Name"] == created["subscription_id"]


def test_the_sweep_skips_an_account_a_subscription_just_refreshed(
    sync: SyncHarness, bank: BankDataStore
) -> None:
    spec = account("acct-1", "cust-1")
    sync.refresh.use(World(accounts=[spec]))
    register(bank, spec)
    sid = sync.subscribe({"customer": "cust-1", "products": ["balance", "transactions"]})
    sync.fire(sid["subscription_id"])
    sync.deliver_due_work()
    (subscription_input,) = started_inputs(sync)
    sync.refresh.finish(subscription_input["refresh_id"])

    sync.fire(sync.stack.refs["DailyRefreshSchedule"])
    sync.drain_due_work()
    assert len(started_inputs(sync)) == 1, "fresh: the sweep started nothing"


def test_the_daily_sweep_repairs_schedules_that_would_never_fire(sync: SyncHarness) -> None:
    sync.refresh.use(World(accounts=[]))
    active = sync.subscribe({"customer": "c1", "products": ["balance"]})["subscription_id"]
    gone = sync.subscribe({"customer": "c2", "products": ["balance"]})["subscription_id"]
    service = sync.api.subscription_service
    stored = service.store.get(active)
    stored.state = "paused"
    service.schedules.put(stored)  # disabled though the subscription is active: never fires
    service.store.delete(service.store.get(gone))  # a schedule left without its subscription

    sync.fire(sync.stack.refs["DailyRefreshSchedule"])
    sync.drain_due_work()

    assert sync.schedule(active)["State"] == "ENABLED"
    with pytest.raises(sync.aws.client("scheduler").exceptions.ResourceNotFoundException):
        sync.schedule(gone)
    assert sync.schedule(sync.stack.refs["DailyRefreshSchedule"])["State"] == "ENABLED"


def test_a_refresh_older_than_the_reauthorisation_does_not_hold_the_account(
    bank: BankDataStore, sync: SyncHarness
) -> None:
    spec = account("acct-1", "cust-1")
    register(bank, spec)
    assert bank.mark_reauth_required(
        "acct-1", "asks", "2026-11-20T10:00:00.000Z", "2026-11-20T09:00:00.000Z"
    )
    assert bank.clear_reauth("cust-1", spec.bank_id, "2026-11-20T11:00:00.000Z", "rec") == [
        "acct-1"
    ]
    # A refresh started at 10:30, before the customer re-authorised at 11:00, ends later:
    assert not bank.mark_reauth_required(
        "acct-1", "asks", "2026-11-20T11:05:00.000Z", "2026-11-20T10:30:00.000Z"
    )
    held = bank.account("acct-1")
    assert held is not None
    assert "reauth_required_at" not in held
    # One started after it does hold it again.
    assert bank.mark_reauth_required(
        "acct-1", "asks", "2026-11-20T12:05:00.000Z", "2026-11-20T12:00:00.000Z"
    )


def test_a_tick_is_skipped_while_the_subscriptions_last_refresh_still_runs(
    sync: SyncHarness, bank: BankDataStore
) -> None:
    spec = account("acct-busy", "cust-busy")
    sync.refresh.use(World(accounts=[spec]))
    register(bank, spec)
    body = {"customer": "cust-busy", "products": ["balance"], "interval": "one_hour"}
    sid = sync.subscribe(body)["subscription_id"]
    sync.fire(sid)
    sync.deliver_due_work()
    (first,) = started_inputs(sync)
    table, dynamodb = sync.stack.refs["DataTable"], sync.aws.client("dynamodb")
    marker = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": f"SUBSCRIPTION#{sid}"}, "sk": {"S": "INFLIGHT"}}
    )["Item"]
    assert marker["refresh_id"]["S"] == first["refresh_id"]
    sync.refresh.finish(first["refresh_id"])

    def run_status(status: str) -> None:
        dynamodb.update_item(
            TableName=table,
            Key={"pk": {"S": f"REFRESH#{first['refresh_id']}"}, "sk": {"S": "RUN"}},
            UpdateExpression="SET #s = :status",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":status": {"S": status}},
        )

    # The same run, seen as still running (demand above the budget): the tick waits.
    run_status("running")
    sync.fire(sid)
    sync.deliver_due_work()
    assert len(started_inputs(sync)) == 1

    run_status("completed")
    sync.fire(sid)
    sync.deliver_due_work()
    assert len(started_inputs(sync)) == 2
    for started in started_inputs(sync):
        sync.refresh.finish(started["refresh_id"])
