"""The refresh task functions invoked with their event fixtures, as sam local invoke would."""

from typing import Any

from devstack.sandbox import demo_world
from tests.support.lambdas import invoke, load_event
from tests.support.workflow import RefreshHarness


def task(refresh: RefreshHarness, logical_id: str, event: dict[str, Any]) -> Any:
    return invoke(refresh.modules[logical_id], event)


def test_start_then_poll_then_abort_fixtures(refresh: RefreshHarness) -> None:
    refresh.use(demo_world(ready_after=45))
    started = task(refresh, "RefreshStarterFunction", load_event("refresh_start.json"))
    assert started == {
        "refresh_id": "rf_0123456789abcdef01234567",
        "done": False,
        "wait_seconds": 30,
        "counts": {"started": 2},
    }

    refresh.clock.advance(45)
    polled = task(refresh, "CallbackPollerFunction", load_event("callback_poll.json"))
    assert polled["done"] is True
    assert polled["counts"] == {"succeeded": 2}

    assert task(refresh, "RefreshAborterFunction", load_event("refresh_abort.json")) is None
    run = refresh.modules["RefreshAborterFunction"].workflow.runs.run(started["refresh_id"])
    assert str(run.status) == "failed"
    assert run.error == "Lambda.Unknown: The task timed out"
    assert run.counts == {"succeeded": 2}  # finished items keep their outcome
