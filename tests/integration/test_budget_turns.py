"""Runs the budget cut short take turns: queued one after another, never all at the next window."""

from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banksync.budget.limiter import ProviderBudget
from banksync.budget.turns import BudgetTurns
from devstack.sandbox import AccountSpec, World
from devstack.template import StackTemplate
from tests.support.lambdas import invoke
from tests.support.workflow import RefreshHarness


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def budget_on(aws: boto3.Session, stack: StackTemplate, clock: Clock, client: Any = None) -> Any:
    table = stack.refs["DataTable"]
    return ProviderBudget(table, 10, client or aws.client("dynamodb"), clock=clock)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    takers=st.lists(
        st.tuples(st.integers(1, 40), st.floats(0, 90), st.floats(0, 60)), min_size=1, max_size=12
    )
)
def test_turns_follow_one_another_and_never_start_before_the_window_asked_for(
    aws: boto3.Session, stack: StackTemplate, takers: list[tuple[int, float, float]]
) -> None:
    clock = Clock(1_800_000_000.0 + len(takers) * 10_000)  # a fresh queue per example
    budget = budget_on(aws, stack, clock)
    turns = BudgetTurns(budget)
    cap = budget.window_calls
    booked_until = 0.0
    for calls, earliest, later in takers:
        wait = turns.take("on_demand", calls, earliest)
        start = clock.now + wait
        assert wait >= earliest - 1e-6
        assert start >= booked_until - 1e-3, "a turn never overlaps the one before it"
        booked_until = start + budget.window_seconds * min(calls, cap) / cap
        clock.now += later


class Racing:
    """A DynamoDB client on which another run takes a turn between our read and our write."""

    def __init__(self, client: Any, rival: BudgetTurns) -> None:
        self._client, self._rival, self.raced = client, rival, False

    def get_item(self, **kwargs: Any) -> Any:
        found = self._client.get_item(**kwargs)
        if not self.raced:
            self.raced = True
            self.rival_wait = self._rival.take("on_demand", 10, 0)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_turn_lost_to_a_concurrent_run_is_queued_behind_it(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    clock = Clock(1_700_000_000.0)
    rival = BudgetTurns(budget_on(aws, stack, clock))
    racing = Racing(aws.client("dynamodb"), rival)
    ours = BudgetTurns(budget_on(aws, stack, clock, client=racing))

    wait = ours.take("on_demand", 9, 0)

    assert racing.raced
    assert racing.rival_wait == 0
    assert wait == pytest.approx(60), "queued behind the rival's whole window, not beside it"


def test_runs_cut_short_in_one_window_wake_one_after_another(refresh: RefreshHarness) -> None:
    specs = [AccountSpec(f"acct-turn-{n}", "cust-turns") for n in range(3)]
    refresh.use(World(accounts=specs), rate=10)  # windows of 60 s of 10 calls
    budget = refresh.budget()
    while budget.take("on_demand", under_way=True) == 0:
        pass  # this window is spent: every run below is cut short at its first call
    to_window = 60 - refresh.clock.now % 60

    def start(refresh_id: str, accounts: list[str]) -> Any:
        event = {
            "refresh_id": refresh_id,
            "priority": "sweep",
            "items": [{"account_id": a, "product": "balance"} for a in accounts],
        }
        return invoke(refresh.modules["RefreshStarterFunction"], event)

    first = start("rf-turn-first", ["acct-turn-0", "acct-turn-1", "acct-turn-2"])
    second = start("rf-turn-second", ["acct-turn-0"])
    third = start("rf-turn-third", ["acct-turn-1"])

    assert [first["counts"], second["counts"]] == [{"pending": 3}, {"pending": 1}]
    waits = [first["wait_seconds"], second["wait_seconds"], third["wait_seconds"]]
    # The sweep's turns come in the next window's release (at 54 s of 60), paced over
    # its last tenth: the first run needs 3 calls, 1.8 s; the second waits for it.
    release = to_window + 54
    assert waits[0] == pytest.approx(release, abs=1)
    assert waits[1] == pytest.approx(release + 1.8, abs=1)
    assert waits[2] == pytest.approx(release + 2.4, abs=1)


def test_the_sweeps_turns_skip_what_a_window_keeps_for_work_under_way(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    """A sweep turn that would fall before a window's release (where its share is spent
    and it would be refused) comes at the release instead; 10 calls' turns fill it."""
    clock = Clock(1_800_000_000.0 - 1_800_000_000.0 % 60)  # a window of 60 s opens
    turns = BudgetTurns(budget_on(aws, stack, clock))
    waits = [turns.take("sweep", 5, 1) for _ in range(3)]
    assert waits == pytest.approx([54, 57, 114]), "two fill one release, the third the next"


def test_a_sweep_run_starts_half_a_window_then_the_rest_at_its_release(
    refresh: RefreshHarness,
) -> None:
    """Starts leave half of each window to work under way (fetches that finish what was
    started); late in the window what no fetch took goes to the starts: none idle."""
    specs = [AccountSpec(f"acct-share-{n}", "cust-turns") for n in range(12)]
    refresh.use(World(accounts=specs), rate=10)  # windows of 60 s of 10 calls
    began = refresh.clock.now
    to_release = 54 - began % 60
    event = {
        "refresh_id": "rf-share",
        "priority": "sweep",
        "items": [{"account_id": spec.account_id, "product": "balance"} for spec in specs],
    }
    started = invoke(refresh.modules["RefreshStarterFunction"], event)
    assert started["counts"] == {"started": 4, "pending": 8}
    assert started["wait_seconds"] == pytest.approx(to_release, abs=1), "back at the release"
    refresh.clock.advance(started["wait_seconds"])
    polled = refresh.modules["CallbackPollerFunction"].workflow.poll("rf-share")
    assert polled["counts"] == {"started": 10, "pending": 2}, "the window's other 6"
