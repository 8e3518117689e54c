"""banksync's own refreshes wake on the provider's webhook and poll only as a fallback."""

import json
from typing import Any

import boto3
import pytest

from banksync.refresh.model import ItemStatus, RefreshItem
from banksync.refresh.runs import RefreshRunStore
from banksync.refresh.wake import WakeSignals
from devstack.sandbox import AccountSpec, Scenario, World
from devstack.template import StackTemplate
from tests.support.push import PushHarness
from tests.support.sandbox import provider_account
from tests.support.workflow import Execution

CUSTOMER = "cust-wake"


def one_account(**scenario: Any) -> World:
    return World(
        accounts=[AccountSpec("acct-0", CUSTOMER, scenario=Scenario(**scenario))],
        auto_refresh_seconds=None,
    )


def refresh_of(push: PushHarness, refresh_id: str, *products: str) -> Execution:
    wanted = products or ("balance", "transactions")
    request = {
        "refresh_id": refresh_id,
        "items": [{"account_id": "acct-0", "product": p} for p in wanted],
    }
    return push.sync.refresh.run(request)


@pytest.fixture
def runs(aws: boto3.Session, stack: StackTemplate) -> RefreshRunStore:
    return RefreshRunStore(stack.refs["DataTable"], aws.client("dynamodb"))


def stored_at(runs: RefreshRunStore, refresh_id: str) -> list[float]:
    from datetime import datetime

    return [
        datetime.fromisoformat(item.finished_at or "").timestamp()
        for item in runs.items(refresh_id)
    ]


def test_a_refresh_is_woken_by_the_webhook_within_seconds_of_readiness(
    push: PushHarness, runs: RefreshRunStore
) -> None:
    sandbox = push.use(one_account(ready_after=100))
    started = push.sync.refresh.clock.now
    execution = refresh_of(push, "rw-woken")
    assert execution.status == "SUCCEEDED"
    assert {item.status for item in runs.items("rw-woken")} == {"succeeded"}
    for finished in stored_at(runs, "rw-woken"):
        assert finished - (started + 100) <= 2, "stored within seconds of readiness"
    assert all(item.pushed_at for item in runs.items("rw-woken"))
    assert sandbox.outbox.sent


def test_once_webhooks_are_reliable_a_refresh_makes_two_calls_per_item(
    push: PushHarness, runs: RefreshRunStore
) -> None:
    sandbox = push.use(one_account(ready_after=300))
    refresh_of(push, "rw-first")  # the first webhook seen makes them reliable
    before = len(sandbox.calls)
    execution = refresh_of(push, "rw-second")
    assert execution.status == "SUCCEEDED"
    assert {item.status for item in runs.items("rw-second")} == {"succeeded"}
    assert len(sandbox.calls) - before == 4, "a refresh and one callback per item"


def test_without_webhooks_the_refresh_polls_as_before(
    push: PushHarness, runs: RefreshRunStore
) -> None:
    sandbox = push.use(one_account(ready_after=100, webhook="never"))
    execution = refresh_of(push, "rw-lost")
    assert execution.status == "SUCCEEDED"
    assert {item.status for item in runs.items("rw-lost")} == {"succeeded"}
    assert not sandbox.outbox.sent
    assert execution.waits[:4] == [30, 15, 30, 60], "today's schedule"


def test_a_lost_webhook_among_reliable_ones_costs_freshness_not_the_data(
    push: PushHarness, runs: RefreshRunStore
) -> None:
    sandbox = push.use(one_account(ready_after=60))
    refresh_of(push, "rw-trusted", "balance")
    sandbox.world.accounts[0] = AccountSpec(
        "acct-0", CUSTOMER, scenario=Scenario(ready_after=60, webhook="never")
    )
    execution = refresh_of(push, "rw-missed", "balance")
    assert execution.status == "SUCCEEDED"
    (item,) = runs.items("rw-missed")
    assert item.status == "succeeded"
    assert 600 in execution.waits, "it waited for the webhook, then polled as a fallback"


def test_a_webhook_before_the_park_sends_the_run_straight_to_its_poll(
    push: PushHarness, runs: RefreshRunStore, aws: boto3.Session, stack: StackTemplate
) -> None:
    push.use(one_account(ready_after=30))
    aws.client("dynamodb").put_item(
        TableName=stack.refs["DataTable"],
        Item={"pk": {"S": "REFRESH#rw-early"}, "sk": {"S": "WAKE"}, "woken_at": {"S": "now"}},
    )
    execution = refresh_of(push, "rw-early", "balance")
    assert execution.status == "SUCCEEDED"
    failed = [e for e in execution.history if e["type"] == "TaskFailed"]
    assert failed, "the park's condition failed"
    assert "ConditionalCheckFailed" in failed[0]["taskFailedEventDetails"]["error"]
    assert execution.waits[0] != 30, "the first park never waited: it went to the poll"


def test_a_webhook_for_a_finished_item_changes_nothing(
    push: PushHarness, runs: RefreshRunStore
) -> None:
    sandbox = push.use(one_account(ready_after=10, webhook="late", webhook_delay=200))
    execution = refresh_of(push, "rw-late", "balance")
    assert execution.status == "SUCCEEDED"
    (item,) = runs.items("rw-late")
    calls = len(sandbox.calls)
    push.advance(300, step=50)
    assert sandbox.outbox.sent, "the late webhook came"
    (after,) = runs.items("rw-late")
    assert after == item
    assert len(sandbox.calls) == calls


def test_registered_accounts_refreshed_by_a_subscription_are_woken_too(
    push: PushHarness, runs: RefreshRunStore
) -> None:
    sandbox = push.use(one_account(ready_after=45))
    push.bank().register_account(provider_account(sandbox.world.accounts[0]), "2026-01-01T00:00Z")
    request = {
        "refresh_id": "rw-batch",
        "items": [{"account_id": "acct-0", "product": "transactions", "subscription_id": "sub_x"}],
    }
    execution = push.sync.refresh.run(request)
    assert execution.status == "SUCCEEDED"
    (item,) = runs.items("rw-batch")
    assert item.pushed_at
    assert json.loads(execution.history[-1]["executionSucceededEventDetails"]["output"])


def test_a_round_in_flight_never_erases_the_listeners_mark(
    runs: RefreshRunStore, aws: boto3.Session, stack: StackTemplate
) -> None:
    """The webhook lands while a round holds the item, and the round then writes it
    (its call failed transiently): the mark must survive for the woken poll."""
    started = RefreshItem(
        "rw-race", "acct-0", "balance", status=ItemStatus.STARTED, record_id="rec-race"
    )
    runs.add_item(started)
    (in_round,) = runs.items("rw-race")
    wake = WakeSignals(stack.refs["DataTable"], aws.client("dynamodb"))
    wake.announce("rw-race", started.key, "2026-01-01T00:00:05+00:00")
    in_round.attempts, in_round.retry_at = 1, "2026-01-01T00:00:30+00:00"
    runs.save_item(in_round)
    (saved,) = runs.items("rw-race")
    assert saved.announced
    assert saved.attempts == 1
    saved.retry_at = None  # the next round clears what it no longer needs
    runs.save_item(saved)
    (cleared,) = runs.items("rw-race")
    assert cleared.retry_at is None
    assert cleared.announced


def test_an_announcement_found_not_ready_waits_for_a_newer_one() -> None:
    item = RefreshItem("r", "a", "balance", pushed_at="2026-01-01T00:00:05+00:00")
    assert item.announced
    item.push_seen_at = item.pushed_at
    assert not item.announced
    item.pushed_at = "2026-01-01T00:01:05+00:00"
    assert item.announced


def test_a_container_records_a_webhook_hit_at_most_once_a_minute(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    client = aws.client("dynamodb")
    signals = WakeSignals(stack.refs["DataTable"], client)

    def stored() -> str:
        item = client.get_item(
            TableName=stack.refs["DataTable"], Key={"pk": {"S": "WEBHOOKS"}, "sk": {"S": "HEALTH"}}
        )["Item"]
        return str(item["last_hit_at"]["S"])

    signals.record_hit("2026-12-01T00:00:00.000Z")
    signals.record_hit("2026-12-01T00:00:30.000Z")
    assert stored() == "2026-12-01T00:00:00.000Z", "a hit within the minute writes nothing"
    signals.record_hit("2026-12-01T00:01:00.000Z")
    assert stored() == "2026-12-01T00:01:00.000Z"
    other = WakeSignals(stack.refs["DataTable"], client)  # another container
    other.record_hit("2026-12-01T00:01:10.000Z")
    assert stored() == "2026-12-01T00:01:10.000Z"
