"""The provider budget: one DynamoDB counter per window, shared by every caller."""

import itertools
import threading
from collections.abc import Callable

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banksync.budget.limiter import (
    PRIORITIES,
    RESERVE_RELEASED_AT,
    WINDOW_CALLS,
    Priority,
    ProviderBudget,
)
from banksync.budget.purse import BudgetPurse
from banksync.refresh.steps import ItemSteps
from devstack.template import StackTemplate
from tests.support.sandbox import VirtualClock


def budget(
    aws: boto3.Session, stack: StackTemplate, clock: VirtualClock, rate: int = 50
) -> ProviderBudget:
    return ProviderBudget(stack.refs["DataTable"], rate, aws.client("dynamodb"), clock=clock)


def limiter_used(aws: boto3.Session, stack: StackTemplate, clock: VirtualClock) -> int:
    """The calls the current window has given."""
    limiter = budget(aws, stack, clock)
    now = clock()
    key = {"pk": {"S": "BUDGET"}, "sk": {"S": f"WINDOW#{now - now % limiter.window_seconds:.3f}"}}
    item = aws.client("dynamodb").get_item(TableName=stack.refs["DataTable"], Key=key)["Item"]
    return int(item["used"]["N"])


def side_by_side(target: Callable[[], None], threads: int) -> None:
    running = [threading.Thread(target=target) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()


def test_a_window_admits_its_calls_then_says_when_the_next_opens(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    clock = VirtualClock(start=1_800_000_000.0)
    limiter = budget(aws, stack, clock)
    assert limiter.window_seconds == 12
    calls = [limiter.take("on_demand", under_way=True) for _ in range(WINDOW_CALLS)]
    assert calls == [0] * WINDOW_CALLS
    wait = limiter.take("on_demand", under_way=True)
    assert 0 < wait <= limiter.window_seconds
    clock.advance(wait)
    assert limiter.take("on_demand", under_way=True) == 0


def test_new_work_leaves_each_window_half_for_work_under_way(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    """Whoever takes a window first, a woken fetch or an on-demand run's first call finds
    calls in it; and the sweep's starts leave on-demand starts a reserve."""
    limiter = budget(aws, stack, VirtualClock(start=1_800_000_000.0))
    half = WINDOW_CALLS // 2
    assert sum(limiter.take("sweep") == 0 for _ in range(WINDOW_CALLS)) == half - 1
    assert limiter.take("scheduled") > 0
    assert limiter.take("on_demand") == 0, "the reserve: an on-demand start"
    assert limiter.take("on_demand") > 0, "new work has had its half"
    under_way = [limiter.take("sweep", under_way=True) for _ in range(half)]
    assert under_way == [0] * half, "a sweep's fetch is work under way"
    assert limiter.take("pushed", under_way=True) > 0


def test_late_in_a_window_what_new_work_may_not_use_goes_to_the_sweep(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    clock = VirtualClock(start=1_800_000_000.0)
    limiter = budget(aws, stack, clock)
    sweep_starts = WINDOW_CALLS // 2 - 1
    assert sum(limiter.take("sweep") == 0 for _ in range(WINDOW_CALLS)) == sweep_starts
    wait = limiter.take("sweep")
    assert wait == pytest.approx(limiter.window_seconds * RESERVE_RELEASED_AT), "until the release"
    clock.advance(wait)
    rest = WINDOW_CALLS - sweep_starts
    assert sum(limiter.take("sweep") == 0 for _ in range(rest)) == rest, "no fetch came for them"
    full = limiter.take("on_demand", under_way=True)
    assert full == pytest.approx(limiter.window_seconds * (1 - RESERVE_RELEASED_AT))
    clock.advance(full)
    assert limiter.take("on_demand", under_way=True) == 0, "a new window, its half intact"


def test_a_high_rate_gets_longer_windows_not_bigger_bursts_per_second(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    limiter = budget(aws, stack, VirtualClock(start=1_800_000_000.0), rate=1_000)
    assert limiter.window_seconds == 6
    assert limiter.window_calls == 100
    assert sum(limiter.take("sweep") == 0 for _ in range(120)) == 40


def test_concurrent_callers_never_exceed_the_window(
    aws: boto3.Session, stack: StackTemplate, atomic_dynamodb_writes: None
) -> None:
    limiter = budget(aws, stack, VirtualClock(start=1_800_000_000.0))
    granted: list[bool] = []

    def call() -> None:
        for _ in range(5):
            granted.append(limiter.take("pushed", under_way=True) == 0)

    side_by_side(call, 8)
    assert sum(granted) == WINDOW_CALLS


def test_a_429_holds_everyone_until_the_providers_time(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    clock = VirtualClock(start=1_800_000_000.0)
    limiter = budget(aws, stack, clock)
    limiter.hold(60)
    assert limiter.take("on_demand") > 0
    clock.advance(59)
    assert limiter.take("on_demand") > 0
    clock.advance(limiter.window_seconds + 1)
    assert limiter.take("on_demand") == 0


EXAMPLES = itertools.count()


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    takes=st.lists(
        st.tuples(
            st.sampled_from(PRIORITIES), st.integers(1, 30), st.integers(0, 30), st.floats(0, 5)
        ),
        min_size=1,
        max_size=20,
    )
)
def test_calls_taken_together_never_pass_a_windows_caps(
    aws: boto3.Session, stack: StackTemplate, takes: list[tuple[Priority, int, int, float]]
) -> None:
    """A take of many calls gets what the window has left for each kind, at most what
    it asked for, in one write: work under way (counted first) up to the window's
    calls, new work up to its priority's cap; no window ever gives more than its calls,
    nor new work the kept half before the release."""
    clock = VirtualClock(start=1_800_000_000.0 + 10_000 * next(EXAMPLES))  # fresh windows
    limiter = budget(aws, stack, clock)
    given_by_window: dict[float, int] = {}
    for priority, wanted, under_way, pause in takes:
        clock.advance(pause)
        now = clock()
        start = now - now % limiter.window_seconds
        before = given_by_window.get(start, 0)
        grant = limiter.take_calls(priority, wanted, under_way)
        assert grant.until == start + limiter.window_seconds
        under = min(under_way, wanted, limiter.window_calls - before)
        room = limiter.calls_for(priority, now) - before - under
        assert grant.calls == under + max(0, min(wanted - min(under_way, wanted), room))
        assert (grant.wait > 0) == (grant.calls == 0)
        given_by_window[start] = before + grant.calls
        assert given_by_window[start] <= limiter.window_calls


def test_a_purse_hands_out_its_share_and_lets_it_lapse_at_the_windows_end(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    clock = VirtualClock(start=1_800_000_000.0)
    limiter = budget(aws, stack, clock)
    purse = BudgetPurse(limiter, "scheduled")
    purse.expect(4)
    assert [purse.admit() for _ in range(4)] == [0.0] * 4
    other = limiter.take_calls("on_demand", 100, under_way=2)
    assert other.calls == 2, "one write took 4: new work has had its share, work under way not"
    purse.expect(3)
    wait = purse.admit()
    assert wait > 0, "the window has nothing left for the schedule's starts"
    clock.advance(wait)  # the kept share's release, late in the window
    assert purse.admit() == 0.0, "it takes the calls left"
    purse.expect(5)
    clock.advance(limiter.window_seconds)
    assert purse.admit() == 0.0  # took 5 of the new window, made 1
    clock.advance(limiter.window_seconds)
    assert purse.admit() == 0.0, "the 4 left lapsed with their window: it takes again"
    window = limiter.take_calls("on_demand", 100, under_way=100)
    assert window.calls == limiter.window_calls - 4, "this window gave the purse the 4 expected"


def test_a_purse_shared_by_concurrent_rounds_hands_each_call_out_once(
    aws: boto3.Session, stack: StackTemplate, atomic_dynamodb_writes: None
) -> None:
    """The offline stack runs many rounds in one process: a share's count is read and
    taken under the purse's lock (seen by the clock it reads in between)."""
    clock = VirtualClock(start=1_800_000_000.0)
    locked: list[bool] = []
    limiter = budget(aws, stack, clock)
    purse = BudgetPurse(limiter, "on_demand")

    def watched() -> float:
        locked.append(purse._lock.locked())
        return clock()

    limiter.clock = watched
    granted: list[bool] = []

    def round_of_calls() -> None:
        purse.expect(5, under_way=5)
        for _ in range(5):
            granted.append(purse.admit() == 0)

    side_by_side(round_of_calls, 8)
    assert sum(granted) == WINDOW_CALLS
    assert locked
    assert all(locked)


def test_a_new_invocation_takes_nothing_an_earlier_round_expected(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    clock = VirtualClock(start=1_800_000_000.0)
    steps = ItemSteps(provider=None, bank=None, budget=budget(aws, stack, clock))  # type: ignore[arg-type]
    assert steps.purse is not None
    steps.expect_calls(6)
    steps.purse.admit()  # the round ran out of time after its first call
    steps.use_priority("on_demand")  # the next invocation begins
    clock.advance(60)  # a later window: the share it held has lapsed
    steps.purse.admit()  # an accounts lookup, before the round counts its calls
    assert limiter_used(aws, stack, clock) == 1, "one call taken, not the five left over"
