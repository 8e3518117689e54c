"""Refresh executions share the provider budget: no 429 storms, nothing failed by queueing."""

import json
from dataclasses import replace
from typing import Any

import boto3
import pytest

from banksync.refresh.runs import RefreshRunStore
from devstack.sandbox import AccountSpec, Scenario, World
from devstack.template import StackTemplate
from tests.support.workflow import RefreshHarness

CUSTOMER = "cust-budget"


def accounts(count: int, **scenario: Any) -> World:
    specs = [
        AccountSpec(f"acct-{i:03d}", CUSTOMER, scenario=Scenario(**scenario)) for i in range(count)
    ]
    return World(accounts=specs, requests_per_minute=60)


def items(names: list[str]) -> list[dict[str, str]]:
    return [{"account_id": n, "product": p} for n in names for p in ("balance", "transactions")]


@pytest.fixture
def runs(aws: boto3.Session, stack: StackTemplate) -> RefreshRunStore:
    return RefreshRunStore(stack.refs["DataTable"], aws.client("dynamodb"))


def test_concurrent_executions_share_one_budget_and_never_meet_a_429(
    refresh: RefreshHarness, runs: RefreshRunStore, aws: boto3.Session, stack: StackTemplate
) -> None:
    world = accounts(30, ready_after=30)
    sandbox = refresh.use(world)
    names = [spec.account_id for spec in world.accounts]
    sfn = aws.client("stepfunctions")
    with refresh.dispatcher.installed():
        for n, chunk in enumerate((names[:15], names[15:])):
            execution = {"refresh_id": f"rb-{n}", "items": items(chunk), "priority": "sweep"}
            sfn.start_execution(
                stateMachineArn=stack.refs["RefreshStateMachine"],
                name=f"rb-{n}",
                input=json.dumps(execution),
            )
        finished = [refresh.finish(f"rb-{n}") for n in range(2)]
    assert [e.status for e in finished] == ["SUCCEEDED", "SUCCEEDED"]
    for n in range(2):
        assert {item.status for item in runs.items(f"rb-{n}")} == {"succeeded"}
    assert not [call for call in sandbox.calls if call.status == 429]
    assert len(sandbox.calls) >= 120


def test_an_item_waiting_for_the_budget_does_not_time_out_while_it_waits(
    refresh: RefreshHarness, runs: RefreshRunStore
) -> None:
    world = accounts(20, ready_after=20)
    sandbox = refresh.use(world, rate=10)  # 80 calls at 10 a minute: 8 minutes of budget
    names = [spec.account_id for spec in world.accounts]
    execution = refresh.run(
        {"refresh_id": "rb-slow", "items": items(names), "deadline_seconds": 180}
    )
    assert execution.status == "SUCCEEDED"
    outcome = {item.status for item in runs.items("rb-slow")}
    assert outcome == {"succeeded"}, "queued behind the budget is not timed out"
    spread = sandbox.calls[-1].at - sandbox.calls[0].at
    assert spread >= 6 * 60, "the calls were spread at the budget's rate"
    assert not [call for call in sandbox.calls if call.status == 429]


def test_a_round_the_budget_cut_short_does_not_poll_again_what_it_just_polled(
    refresh: RefreshHarness, runs: RefreshRunStore
) -> None:
    world = accounts(40, ready_after=20)
    sandbox = refresh.use(world)  # 50 calls a minute for 80 items: the budget binds
    names = [spec.account_id for spec in world.accounts]
    execution = refresh.run({"refresh_id": "rb-busy", "items": items(names)})
    assert execution.status == "SUCCEEDED"
    assert {item.status for item in runs.items("rb-busy")} == {"succeeded"}
    callbacks = len(sandbox.calls_to("/callback"))
    # Ready after 20 s: about one callback each, as no round asks again what was asked
    # less than a poll interval ago (without that: 1.9 each).
    assert callbacks / 80 <= 1.5, f"{callbacks} callbacks for 80 items"


def test_items_whose_time_ran_out_during_a_hold_are_not_started_after_it(
    refresh: RefreshHarness, runs: RefreshRunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = [
        AccountSpec("acct-held", CUSTOMER, scenario=Scenario(rate_limited_calls=1)),
        AccountSpec("acct-next", CUSTOMER),
    ]
    sandbox = refresh.use(World(accounts=specs, requests_per_minute=60))
    for name in ("RefreshStarterFunction", "CallbackPollerFunction"):
        workflow = refresh.modules[name].workflow
        # The provider's 429 holds every call for 60 s; the items may wait 30 s.
        monkeypatch.setattr(
            workflow, "settings", replace(workflow.settings, pending_limit_seconds=30)
        )
    execution = refresh.run({"refresh_id": "rb-held", "items": items(["acct-held", "acct-next"])})

    assert execution.status == "SUCCEEDED"
    (limited,) = [call for call in sandbox.calls if call.status == 429]
    assert [call for call in sandbox.calls if call.at > limited.at] == []
    outcome = {(item.account_id, item.product): item for item in runs.items("rb-held")}
    assert {item.status for item in outcome.values()} == {"timed_out"}
    assert {item.reason for item in outcome.values()} == {"not started before the deadline"}
