"""The provider's push as the main path: its webhooks become stored data, once each."""

import json
from typing import Any

from devstack.sandbox import AccountSpec, Scenario, World
from tests.support.delivery import Delivering
from tests.support.push import PushHarness
from tests.support.sandbox import provider_account

DAY = 86_400
CUSTOMER = "cust-push"


def world(*scenarios: Scenario, **options: Any) -> World:
    accounts = [
        AccountSpec(f"acct-{i}", CUSTOMER, scenario=scenario, **options.pop(f"account{i}", {}))
        for i, scenario in enumerate(scenarios)
    ]
    return World(accounts=accounts, auto_refresh_seconds=DAY, **options)


def callbacks(push: PushHarness) -> int:
    assert push.sandbox is not None
    return len(push.sandbox.calls_to("/callback"))


def test_the_providers_own_refresh_is_fetched_once_and_stored(push: PushHarness) -> None:
    sandbox = push.use(world(Scenario(ready_after=30)))
    push.advance(DAY + 30, step=DAY // 4)
    push.advance(30)
    bank = push.bank()
    account = bank.account("acct-0")
    assert account is not None, "the webhook's data registered the account"
    assert account["customer_id"] == CUSTOMER
    spec = sandbox.world.account("acct-0")
    assert spec is not None
    latest = bank.latest_balance("acct-0")
    assert latest is not None
    assert latest["ledger_balance"] == spec.balance(1)["ledger_balance"]
    assert len(bank.transactions("acct-0")) == len(spec.transactions(1))
    assert callbacks(push) == 2, "one fetch per product, no refresh call"
    assert not sandbox.calls_to("/refresh")
    assert account["balance_synced_at"]
    assert account["transactions_synced_at"]


def test_nothing_new_costs_no_call_and_still_counts_as_fresh(push: PushHarness) -> None:
    push.use(world(Scenario(ready_after=0), account0={"new_per_refresh": 0}))
    push.advance(DAY, step=DAY // 4)
    push.advance(5)
    first = push.bank().account("acct-0")
    assert first is not None
    calls = callbacks(push)
    push.advance(DAY, step=DAY // 4)
    push.advance(5)
    later = push.bank().account("acct-0")
    assert later is not None
    assert callbacks(push) == calls + 1, "the balance is fetched; no-new transactions are not"
    assert later["transactions_synced_at"] > first["transactions_synced_at"]


def test_deleted_transactions_are_marked_removed_without_a_call(push: PushHarness) -> None:
    sandbox = push.use(world(Scenario(ready_after=0, deleted_per_refresh=2)))
    push.advance(DAY, step=DAY // 4)
    push.advance(5)
    calls = callbacks(push)
    # Rows the first refresh took back were never listed, so never stored.
    before = set(sandbox.removed["acct-0"])
    push.advance(DAY, step=DAY // 4)
    push.advance(5)
    gone = sandbox.removed["acct-0"] - before
    assert len(gone) == 2
    rows = {row["transaction_id"]: row for row in push.bank().transactions("acct-0")}
    assert all(rows[txn].get("removed_at") for txn in gone)
    assert sum(1 for row in rows.values() if row.get("removed_at")) == 2
    assert callbacks(push) == calls + 2, "the deletion itself cost no call"


def test_a_webhook_for_banksyncs_own_refresh_is_left_to_that_refresh(push: PushHarness) -> None:
    sandbox = push.use(world(Scenario(ready_after=20)))
    push.bank().register_account(provider_account(sandbox.world.accounts[0]), "2026-01-01T00:00Z")
    execution = push.sync.refresh.run(
        {"refresh_id": "rf_own", "items": [{"account_id": "acct-0", "product": "balance"}]}
    )
    assert execution.status == "SUCCEEDED"
    calls = callbacks(push)
    push.advance(60)
    assert sandbox.outbox.sent, "the provider did announce the record"
    assert callbacks(push) == calls, "no second fetch of a record banksync fetched itself"
    (record,) = {c.path for c in sandbox.calls_to("/refresh")}
    assert record


def test_an_early_webhook_waits_for_the_data_instead_of_storing_nothing(
    push: PushHarness,
) -> None:
    sandbox = push.use(
        world(Scenario(ready_after=75, webhook="early", not_ready_shape="in_progress"))
    )
    push.advance(DAY, step=DAY // 4)
    push.advance(5)
    record = sandbox.outbox.sent[0].payload["record"]
    update = push.update(record, "balance")
    assert update is not None
    assert update.status == "queued", "not ready: asked again later"
    assert push.bank().latest_balance("acct-0") is None
    push.advance(120, step=5)
    update = push.update(record, "balance")
    assert update is not None
    assert update.status == "succeeded"
    assert push.bank().latest_balance("acct-0") is not None
    assert 2 <= len(sandbox.calls_to("/callback")) <= 10


def test_two_webhooks_for_one_record_make_one_fetch(push: PushHarness) -> None:
    sandbox = push.use(world(Scenario(ready_after=0)))
    push.advance(DAY, step=DAY // 4)
    push.advance(5)
    calls = callbacks(push)
    payload = dict(sandbox.outbox.sent[0].payload)
    payload["ended_at"] = "2026-11-18T10:00:05.000Z"  # not byte-identical: stored again
    sandbox.outbox.queue(payload, sandbox.clock())
    push.advance(5)
    assert callbacks(push) == calls


def test_a_pushed_update_is_told_to_the_customers_subscriptions(
    push_delivering: tuple[PushHarness, Delivering],
) -> None:
    push, delivering = push_delivering
    created = push.sync.subscribe(
        {
            "customer": CUSTOMER,
            "products": ["balance"],
            "interval": "daily",
            "webhook_url": "https://hooks.example.com/okra",
        }
    )
    delivering.subscriber.secret = created["signing_secret"]
    push.use(world(Scenario(ready_after=0)))
    push.advance(DAY, step=DAY // 4)
    push.advance(5)
    delivering.deliver_until_done()
    (received,) = delivering.subscriber.received
    assert received["payload"]["type"] == "balance.succeeded"
    data = received["payload"]["data"]
    assert data["source"] == "provider"
    assert data["account_id"] == "acct-0"
    assert data["subscription_id"] == created["subscription_id"]


def test_the_sweep_refreshes_only_accounts_the_push_left_stale(push: PushHarness) -> None:
    sandbox = push.use(world(Scenario(ready_after=0), Scenario(ready_after=0, webhook="never")))
    push.advance(DAY, step=DAY // 4)
    push.advance(5)
    bank = push.bank()
    bank.register_account(provider_account(sandbox.world.accounts[1]), "2026-01-01T00:00Z")
    sqs = push.sync.aws.client("sqs")
    sqs.send_message(
        QueueUrl=push.sync.stack.refs["DueRefreshQueue"],
        MessageBody=json.dumps({"kind": "all_accounts"}),
    )
    push.sync.drain_due_work()
    (execution,) = push.sync.executions()
    items = json.loads(execution["input"])["items"]
    assert {item["account_id"] for item in items} == {"acct-1"}
    assert {item["product"] for item in items} == {"balance", "transactions"}


def test_a_record_of_an_old_own_refresh_announced_again_is_the_providers_push(
    push: PushHarness,
) -> None:
    sandbox = push.use(world(Scenario(ready_after=20)))
    push.bank().register_account(provider_account(sandbox.world.accounts[0]), "2026-01-01T00:00Z")
    push.sync.refresh.run(
        {"refresh_id": "rf_old", "items": [{"account_id": "acct-0", "product": "balance"}]}
    )
    push.advance(60)
    announced = dict(sandbox.outbox.sent[-1].payload)
    calls = callbacks(push)
    push.sync.refresh.clock.advance(DAY / 2)  # the provider refreshes that record again
    announced["ended_at"] = "2026-11-20T12:00:00.000Z"
    sandbox.outbox.queue(announced, sandbox.clock())
    push.advance(5)
    assert callbacks(push) == calls + 1, "not swallowed by the finished refresh"


def test_nothing_new_without_a_bank_marks_no_account(push: PushHarness) -> None:
    push.use(world(Scenario(ready_after=0), account0={"new_per_refresh": 0}))
    bank = push.bank()
    bank.register_account(
        provider_account(AccountSpec("acct-0", CUSTOMER)), "2026-01-01T00:00:00.000Z"
    )
    listener = push.listener.listener
    event = {
        "event_id": "e1",
        "code": "PERIODIC_TRANSACTIONS",
        "record_id": "rec-unknown",
        "customer_id": CUSTOMER,
        "received_at": "2026-11-20T00:00:00.000Z",
        "payload": json.dumps({"new_transactions": 0}),
    }
    assert listener.on_event(event) == "nothing_new"
    account = bank.account("acct-0")
    assert account is not None
    assert "transactions_synced_at" not in account
    assert listener.on_event({**event, "event_id": "e2", "bank_id": account["bank_id"]}) == "fresh"
