"""The provider budget: one DynamoDB counter per window, shared by every caller."""

import threading

import boto3
import pytest

from banksync.budget.limiter import RESERVE_RELEASED_AT, WINDOW_CALLS, ProviderBudget
from devstack.template import StackTemplate
from tests.support.sandbox import VirtualClock


def budget(
    aws: boto3.Session, stack: StackTemplate, clock: VirtualClock, rate: int = 50
) -> ProviderBudget:
    return ProviderBudget(stack.refs["DataTable"], rate, aws.client("dynamodb"), clock=clock)


def test_a_window_admits_its_calls_then_says_when_the_next_opens(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    clock = VirtualClock(start=1_800_000_000.0)
    limiter = budget(aws, stack, clock)
    assert limiter.window_seconds == 12
    assert [limiter.take("on_demand") for _ in range(WINDOW_CALLS)] == [0] * WINDOW_CALLS
    wait = limiter.take("on_demand")
    assert 0 < wait <= limiter.window_seconds
    clock.advance(wait)
    assert limiter.take("on_demand") == 0


def test_the_sweep_leaves_each_window_a_reserve_for_first_class_work(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    limiter = budget(aws, stack, VirtualClock(start=1_800_000_000.0))
    granted = sum(limiter.take("sweep") == 0 for _ in range(WINDOW_CALLS))
    assert granted == WINDOW_CALLS - 1
    assert limiter.take("scheduled") > 0
    assert limiter.take("pushed") == 0


def test_late_in_a_window_its_idle_reserve_goes_to_the_sweep(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    clock = VirtualClock(start=1_800_000_000.0)
    limiter = budget(aws, stack, clock)
    assert sum(limiter.take("sweep") == 0 for _ in range(WINDOW_CALLS)) == WINDOW_CALLS - 1
    wait = limiter.take("sweep")
    assert wait == pytest.approx(limiter.window_seconds * RESERVE_RELEASED_AT), "until the release"
    clock.advance(wait)
    assert limiter.take("sweep") == 0, "no first-class call came: the reserve is the sweep's"
    full = limiter.take("on_demand")
    assert full == pytest.approx(limiter.window_seconds * (1 - RESERVE_RELEASED_AT))
    clock.advance(full)
    assert limiter.take("on_demand") == 0, "a new window, its reserve intact"


def test_a_high_rate_gets_longer_windows_not_bigger_bursts_per_second(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    limiter = budget(aws, stack, VirtualClock(start=1_800_000_000.0), rate=1_000)
    assert limiter.window_seconds == 6
    assert limiter.window_calls == 100
    assert sum(limiter.take("sweep") == 0 for _ in range(120)) == 90


def test_concurrent_callers_never_exceed_the_window(
    aws: boto3.Session, stack: StackTemplate, atomic_dynamodb_writes: None
) -> None:
    limiter = budget(aws, stack, VirtualClock(start=1_800_000_000.0))
    granted: list[bool] = []

    def call() -> None:
        for _ in range(5):
            granted.append(limiter.take("pushed") == 0)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
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
