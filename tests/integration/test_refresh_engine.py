"""The refresh engine under budget pressure, on the real ASL in moto with an injected clock.

A woken item is fetched in the round it wakes; a run the budget cuts short comes
back at its turn whether or not webhooks are trusted; past its deadline an item
ends within one round; no run parks under the floor twice in a row; on-demand
runs keep the budget busy while they have work.
"""

import json
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from banksync.refresh.model import ItemStatus
from banksync.refresh.pacing import MIN_WAIT_SECONDS, floored, round_order
from banksync.refresh.runs import RefreshRunStore
from banksync.refresh.wake import WakeSignals
from devstack.sandbox import AccountSpec, Scenario, World
from devstack.template import StackTemplate
from tests.support.push import PushHarness
from tests.support.timekeeper import TimeKeeper
from tests.support.workflow import Execution, RefreshHarness

CUSTOMER = "cust-engine"


def world(count: int, limit: int = 60, **scenario: Any) -> World:
    specs = [
        AccountSpec(f"acct-{i:02d}", f"{CUSTOMER}-{i // 2}", scenario=Scenario(**scenario))
        for i in range(count)
    ]
    return World(accounts=specs, requests_per_minute=limit, auto_refresh_seconds=None)


@pytest.fixture
def runs(aws: boto3.Session, stack: StackTemplate) -> RefreshRunStore:
    return RefreshRunStore(stack.refs["DataTable"], aws.client("dynamodb"))


def never_short_twice(waits: list[int]) -> bool:
    return not any(a < MIN_WAIT_SECONDS and b < MIN_WAIT_SECONDS for a, b in pairwise(waits))


def test_an_announced_item_is_fetched_in_the_round_it_wakes_whatever_holds_the_run(
    refresh: RefreshHarness, runs: RefreshRunStore, aws: boto3.Session, stack: StackTemplate
) -> None:
    """Behind a budget-cut round's resume point, and while the run waits for its turn."""
    sandbox = refresh.use(world(3, ready_after=10))
    items = [{"account_id": f"acct-{i:02d}", "product": "balance"} for i in range(3)]
    starter = refresh.modules["RefreshStarterFunction"].workflow
    starter.start({"refresh_id": "re-woken", "items": items})
    refresh.clock.advance(20)
    now = refresh.now()
    run = runs.run("re-woken")
    assert run is not None
    stored = sorted(runs.items("re-woken"), key=round_order)
    run.resume_at, run.cut_at = round_order(stored[-1]), (now - timedelta(seconds=2)).isoformat()
    run.budget_until = run.turn_at = (now + timedelta(seconds=300)).isoformat()
    runs.save_run(run)
    wake = WakeSignals(stack.refs["DataTable"], aws.client("dynamodb"))
    wake.announce("re-woken", stored[0].key, now.isoformat())
    before = len(sandbox.calls)

    poller = refresh.modules["CallbackPollerFunction"].workflow
    progress = poller.poll("re-woken", woken=True)

    after = {item.account_id: item for item in runs.items("re-woken")}
    assert after[stored[0].account_id].status is ItemStatus.SUCCEEDED, "fetched at once"
    assert len(sandbox.calls) - before == 1, "the others wait for the run's turn"
    assert 290 <= progress["wait_seconds"] <= 300, "back at its turn"


def trusted(push: PushHarness) -> None:
    """A first refresh whose webhook came: the stack now trusts the provider's webhooks."""
    execution = push.sync.refresh.run(
        {"refresh_id": "re-trust", "items": [{"account_id": "acct-00", "product": "balance"}]}
    )
    assert execution.status == "SUCCEEDED"


def test_a_cut_round_comes_back_at_its_turn_when_webhooks_are_trusted(
    push: PushHarness, runs: RefreshRunStore
) -> None:
    # 6 calls a minute: windows of 100 s with 10 calls; 5 items start (7 calls of the
    # first window used), their 5 webhooks come at once and only 3 fetches fit.
    push.use(world(5, limit=16, ready_after=20))
    trusted(push)
    began = push.sync.refresh.clock.now
    items = [{"account_id": f"acct-{i:02d}", "product": "balance"} for i in range(5)]
    execution = push.sync.refresh.run({"refresh_id": "re-turn", "items": items})

    assert execution.status == "SUCCEEDED"
    finished = runs.items("re-turn")
    assert {item.status for item in finished} == {ItemStatus.SUCCEEDED}
    stored = [datetime.fromisoformat(item.finished_at or "").timestamp() for item in finished]
    assert max(stored) - began <= 2 * 100 + 30, "the rest fetched at the run's turn"
    # One park for the webhooks, which came; none for the fallback instead of the turn.
    assert execution.waits.count(600) <= 1, execution.waits
    assert never_short_twice(execution.waits)


def test_past_its_deadline_a_held_item_ends_within_one_round(
    refresh: RefreshHarness, runs: RefreshRunStore
) -> None:
    # 6 calls a minute (windows of 100 s, 10 calls): 8 items start at once, 2 polls
    # fit the first window, the rest wait for the next one, past their 60 s deadline.
    refresh.use(world(4, limit=16, ready_after=10, webhook="never"))
    items = [
        {"account_id": f"acct-{i:02d}", "product": p}
        for i in range(4)
        for p in ("balance", "transactions")
    ]
    execution = refresh.run({"refresh_id": "re-late", "items": items, "deadline_seconds": 60})

    assert execution.status == "SUCCEEDED"
    assert {item.status for item in runs.items("re-late")} == {ItemStatus.SUCCEEDED}
    assert never_short_twice(execution.waits), execution.waits
    polls = sum(1 for e in execution.history if _entered(e, "PollCallbacks"))
    assert polls <= 5, f"{polls} rounds: a held run does not spin on its deadline"


def _entered(event: dict[str, Any], state: str) -> bool:
    details = event.get("stateEnteredEventDetails") or {}
    return event["type"].endswith("StateEntered") and details.get("name") == state


def test_an_item_held_past_its_deadline_is_requeued_not_failed(
    refresh: RefreshHarness, runs: RefreshRunStore
) -> None:
    """A poll the budget alone kept back: the item waits for a call again, as new work."""
    refresh.use(world(1, ready_after=10))
    starter = refresh.modules["RefreshStarterFunction"].workflow
    starter.start(
        {
            "refresh_id": "re-requeue",
            "items": [{"account_id": "acct-00", "product": "balance"}],
            "deadline_seconds": 60,
        }
    )
    refresh.clock.advance(90)
    run = runs.run("re-requeue")
    assert run is not None
    run.budget_until = run.turn_at = (refresh.now() + timedelta(seconds=40)).isoformat()
    runs.save_run(run)
    poller = refresh.modules["CallbackPollerFunction"].workflow

    progress = poller.poll("re-requeue")
    (item,) = runs.items("re-requeue")
    assert item.status is ItemStatus.STARTED, "not timed out"
    assert item.requeued_at, "queued again for the budget"
    assert progress["wait_seconds"] >= 40, "back at the turn, not in a second"

    refresh.clock.advance(progress["wait_seconds"])
    poller.poll("re-requeue")
    (item,) = runs.items("re-requeue")
    assert item.status is ItemStatus.SUCCEEDED


@given(st.lists(st.integers(0, 700), min_size=1, max_size=40), st.none() | st.integers(0, 700))
def test_a_run_never_parks_under_the_floor_twice_in_a_row(raw: list[int], last: int | None) -> None:
    waits, previous = [], last
    for wait in raw:
        previous = floored(wait, previous)
        waits.append(previous)
    assert never_short_twice(([last] if last is not None else []) + waits)
    assert all(w >= r for w, r in zip(waits, raw, strict=True)), "a wait is only ever raised"


def test_concurrent_on_demand_runs_keep_the_budget_busy(
    refresh: RefreshHarness, aws: boto3.Session, stack: StackTemplate
) -> None:
    """30 customers refreshed on demand at once: while runs wait to look up accounts or
    to start, every window's calls are used (none idle behind a task's retry backoff)."""
    specs = [
        AccountSpec(f"acct-{i:02d}", f"{CUSTOMER}-{i}", scenario=Scenario(ready_after=20))
        for i in range(30)
    ]
    sandbox = refresh.use(World(accounts=specs, auto_refresh_seconds=None), rate=50)
    keeper = TimeKeeper(refresh)
    sfn = aws.client("stepfunctions")
    with refresh.dispatcher.installed():
        for n in range(30):
            request = {"refresh_id": f"re-od-{n}", "customer": f"{CUSTOMER}-{n}"}
            sfn.start_execution(
                stateMachineArn=stack.refs["RefreshStateMachine"],
                name=request["refresh_id"],
                input=json.dumps({**request, "priority": "on_demand"}),
            )
        while keeper.step(most=12):
            pass
        finished = [refresh.finish(f"re-od-{n}") for n in range(30)]
    assert {e.status for e in finished} == {"SUCCEEDED"}
    calls = sorted(c.at for c in sandbox.calls if c.status != 429)
    starts = sorted(c.at for c in sandbox.calls if not c.path.endswith("/callback"))
    assert len(starts) == 30 * 3, "a lookup and 2 starts each"
    window = 12.0  # 10 calls every 12 s at 50 a minute
    span = starts[-1] - calls[0]
    made = sum(1 for at in calls if at <= starts[-1])
    assert made >= 0.9 * (span / window) * 10, f"{made} calls in {span:.0f} s"
    assert not [c for c in sandbox.calls if c.status == 429]


def test_history_stays_small_when_the_budget_binds(refresh: RefreshHarness) -> None:
    refresh.use(world(10, limit=16, ready_after=30, webhook="never"))
    items = [{"account_id": f"acct-{i:02d}", "product": "balance"} for i in range(10)]
    execution: Execution = refresh.run({"refresh_id": "re-history", "items": items})
    assert execution.status == "SUCCEEDED"
    assert len(execution.history) < 200


def test_first_calls_and_woken_fetches_come_before_the_sweeps_starts(
    refresh: RefreshHarness, runs: RefreshRunStore, aws: boto3.Session, stack: StackTemplate
) -> None:
    """A sweep run took the window first: on-demand runs opening at once still make their
    first call in it, and so does a woken item's fetch (work under way, at any priority),
    ahead of the sweep's next starts."""
    ready = Scenario(ready_after=5)
    swept = [AccountSpec(f"acct-{i:02d}", f"{CUSTOMER}-{i}", scenario=ready) for i in range(12)]
    asked = [AccountSpec(f"acct-od-{n}", f"cust-od-{n}") for n in range(3)]
    sandbox = refresh.use(World(accounts=swept + asked, auto_refresh_seconds=None), rate=10)
    refresh.clock.advance(60 - refresh.clock.now % 60)  # a window of 60 s and 10 calls opens
    window_end = refresh.clock.now + 60
    starter = refresh.modules["RefreshStarterFunction"].workflow
    items = [{"account_id": s.account_id, "product": "balance"} for s in swept]
    starter.start({"refresh_id": "re-sweep", "items": items, "priority": "sweep"})
    refresh.clock.advance(10)  # the first started records are ready
    for n in range(3):
        request = {"refresh_id": f"re-od-{n}", "customer": f"cust-od-{n}"}
        starter.start({**request, "priority": "on_demand"})
    first_calls = {c.customer_id for c in sandbox.calls if c.customer_id}
    assert first_calls == {f"cust-od-{n}" for n in range(3)}, "every run opened in this window"

    started = next(i for i in runs.items("re-sweep") if i.status is ItemStatus.STARTED)
    wake = WakeSignals(stack.refs["DataTable"], aws.client("dynamodb"))
    wake.announce("re-sweep", started.key, refresh.now().isoformat())
    refresh.modules["CallbackPollerFunction"].workflow.poll("re-sweep", woken=True)
    fetched = {i.account_id: i for i in runs.items("re-sweep")}[started.account_id]
    assert fetched.status is ItemStatus.SUCCEEDED, "fetched in the round it woke"
    assert all(c.at < window_end for c in sandbox.calls)
    assert not [c for c in sandbox.calls if c.status == 429]
