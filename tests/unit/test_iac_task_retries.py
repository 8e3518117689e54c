"""The refresh state machine's tasks survive a transient failure: the real ASL, run by
moto, with a task function whose invocation dies once as Lambda reports it."""

from typing import Any

import boto3
import pytest

from banksync.refresh.runs import RefreshRunStore
from devstack.sandbox import AccountSpec, Scenario, World
from devstack.template import StackTemplate
from tests.support.workflow import RefreshHarness

CUSTOMER = "cust-1"
ITEMS = [
    {"account_id": "acct-0", "product": product, "customer_id": CUSTOMER}
    for product in ("balance", "transactions")
]


@pytest.fixture
def refresh(
    aws: boto3.Session, stack: StackTemplate, monkeypatch: pytest.MonkeyPatch
) -> RefreshHarness:
    harness = RefreshHarness(aws, stack, monkeypatch)
    harness.use(
        World(accounts=[AccountSpec("acct-0", CUSTOMER, scenario=Scenario(ready_after=20))])
    )
    return harness


def lambda_error(name: str) -> Exception:
    """An exception whose type name is ``name``: the error Step Functions then sees
    (``Sandbox.Timedout``, ``Lambda.Unknown``: what Lambda reports for an invocation
    that timed out or died, which no Python class is named)."""
    error: Exception = type(name, (Exception,), {})(f"{name} (injected)")
    return error


def failing(refresh: RefreshHarness, logical_id: str, *errors: str) -> list[dict[str, Any]]:
    """Make the function raise ``errors`` on its first invocations, then run for real;
    returns the events it was invoked with."""
    name = refresh.stack.refs[logical_id]
    handler = refresh.dispatcher.handlers[name]
    pending = list(errors)
    calls: list[dict[str, Any]] = []

    def flaky(event: dict[str, Any], context: Any) -> Any:
        calls.append(event)
        if pending:
            raise lambda_error(pending.pop(0))
        return handler(event, context)

    refresh.dispatcher.register(name, flaky)
    return calls


def statuses(aws: boto3.Session, stack: StackTemplate, refresh_id: str) -> set[str]:
    runs = RefreshRunStore(stack.refs["DataTable"], aws.client("dynamodb"))
    return {str(item.status) for item in runs.items(refresh_id)}


@pytest.mark.parametrize(
    ("logical_id", "errors"),
    [
        ("RefreshStarterFunction", ("Sandbox.Timedout",)),
        ("RefreshStarterFunction", ("Lambda.Unknown", "Sandbox.Timedout")),
        ("RefreshStarterFunction", ("KeyError",)),
        ("CallbackPollerFunction", ("Sandbox.Timedout",)),
        ("CallbackPollerFunction", ("Lambda.Unknown",)),
        ("CallbackPollerFunction", ("ConnectionResetError",)),
    ],
)
def test_a_task_that_dies_once_is_run_again_and_the_batch_completes(
    aws: boto3.Session,
    stack: StackTemplate,
    refresh: RefreshHarness,
    logical_id: str,
    errors: tuple[str, ...],
) -> None:
    calls = failing(refresh, logical_id, *errors)
    refresh_id = f"r-{logical_id[:8].lower()}-{len(errors)}-{errors[0].lower().replace('.', '-')}"
    execution = refresh.run({"refresh_id": refresh_id, "items": ITEMS})

    assert execution.status == "SUCCEEDED"
    assert statuses(aws, stack, refresh_id) == {"succeeded"}
    assert len(calls) > len(errors)  # run again with the same input after each failure
    assert all(call == calls[0] for call in calls[: len(errors) + 1])


def test_a_task_that_keeps_failing_still_fails_the_run(
    aws: boto3.Session, stack: StackTemplate, refresh: RefreshHarness
) -> None:
    calls = failing(refresh, "CallbackPollerFunction", *["Lambda.Unknown"] * 10)
    execution = refresh.run({"refresh_id": "r-dead", "items": ITEMS})

    assert execution.status == "FAILED"
    assert len(calls) == 4  # the first attempt and three retries, then the run is given up
    assert statuses(aws, stack, "r-dead") == {"failed"}


def test_a_malformed_input_is_not_retried(refresh: RefreshHarness) -> None:
    calls = failing(refresh, "RefreshStarterFunction")
    execution = refresh.run({"refresh_id": "r-bad", "items": ITEMS, "deadline_seconds": 10**6})

    assert execution.status == "FAILED"
    assert len(calls) == 1
