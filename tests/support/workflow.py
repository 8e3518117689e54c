"""Running the real refresh state machine in moto, against the sandbox, on virtual time.

Wait states and Retry intervals advance a VirtualClock instead of sleeping;
the task Lambdas, the sandbox and the deadline logic all read that clock.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType, SimpleNamespace
from typing import Any

import boto3
import pytest
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import (
    WaitFunction,
)
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint

from banksync.budget.limiter import WINDOW_CALLS, ProviderBudget
from banksync.okra.client import OkraClient
from banksync.provider.secret import SecretKey
from devstack.lambdas import LambdaDispatcher
from devstack.sandbox import Sandbox, World
from devstack.template import StackTemplate
from tests.support.lambdas import cold_start
from tests.support.sandbox import SANDBOX_BASE_URL, VirtualClock, new_sandbox

TASK_FUNCTIONS = ("RefreshStarterFunction", "CallbackPollerFunction", "RefreshAborterFunction")
REAL_TIME_LIMIT = 120.0


@dataclass
class Execution:
    status: str
    output: dict[str, Any]
    history: list[dict[str, Any]]
    waits: list[int] = field(default_factory=list)

    @property
    def transitions(self) -> int:
        """State transitions as billed: every state entered."""
        return sum(1 for event in self.history if event["type"].endswith("StateEntered"))


class RefreshHarness:
    def __init__(
        self, aws: boto3.Session, stack: StackTemplate, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.aws, self.stack = aws, stack
        self.clock = VirtualClock()
        self.waits: list[int] = []
        self.dispatcher = LambdaDispatcher()
        self.modules: dict[str, ModuleType] = {}
        self.sandbox: Sandbox | None = None
        harness = self

        def wait_interval(function: Any, env: Any, wait_seconds: int) -> None:
            harness.waits.append(wait_seconds)
            harness.sleep(wait_seconds)

        def park(endpoint: CallbackEndpoint, timeout: float | None = None) -> Any:
            harness.waits.append(int(timeout or 0))
            harness.park(endpoint, float(timeout or 0))
            return endpoint.get_outcome()

        monkeypatch.setattr(WaitFunction, "_wait_interval", wait_interval)
        monkeypatch.setattr(CallbackEndpoint, "wait", park)
        # What runs while an execution is parked: the push path, when a test has one.
        self.between: Callable[[], None] = lambda: None
        self.next_event: Callable[[], float | None] = lambda: None
        # A Wait state or a Retry's interval: time passes for this execution alone.
        self.sleep: Callable[[float], None] = self.clock.advance
        monkeypatch.setattr(retrier_decl, "time", SimpleNamespace(sleep=lambda s: self.sleep(s)))
        for logical_id in TASK_FUNCTIONS:
            module = cold_start(stack, logical_id, monkeypatch)
            module.workflow.clock = self.now
            module.workflow.steps.budget.clock = self.clock
            self.modules[logical_id] = module
            self.dispatcher.register(stack.refs[logical_id], module.lambda_handler)
        self.rate = 50

    def park(self, endpoint: CallbackEndpoint, timeout: float) -> None:
        """A parked execution on virtual time: time moves to the next thing that may
        wake it (or to the timeout), and the push path runs, until it is woken."""
        end = self.clock.now + timeout
        idle = 0
        while not endpoint._notify_event.is_set() and self.clock.now < end:
            upcoming = self.next_event()
            if upcoming is not None and upcoming <= self.clock.now and idle < 3:
                idle += 1  # something is due now: let it run before time moves
            else:
                target = end if upcoming is None else min(end, max(upcoming, self.clock.now + 1))
                self.clock.advance(target - self.clock.now)
                idle = 0
            self.between()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now, UTC)

    def use(self, world: World, rate: int | None = None) -> Sandbox:
        """Point the tasks at a sandbox of ``world``; the stack's provider budget is
        set as an operator would for that provider: 10 below its limit, or ``rate``."""
        self.sandbox = new_sandbox(world, self.clock)
        secret = SecretKey(self.stack.refs["OkraSecretKey"])
        self.rate = rate or max(1, world.requests_per_minute - WINDOW_CALLS)
        for module in self.modules.values():
            transport = self.sandbox.transport()
            steps = module.workflow.steps
            steps.provider = OkraClient(SANDBOX_BASE_URL, secret, transport=transport)
            steps.budget = self.budget()
        return self.sandbox

    def budget(self) -> ProviderBudget:
        client = self.aws.client("dynamodb")
        return ProviderBudget(self.stack.refs["DataTable"], self.rate, client, clock=self.clock)

    def run(self, execution_input: dict[str, Any]) -> Execution:
        with self.dispatcher.installed():
            self.aws.client("stepfunctions").start_execution(
                stateMachineArn=self.stack.refs["RefreshStateMachine"],
                name=execution_input["refresh_id"],
                input=json.dumps(execution_input),
            )
            return self.finish(execution_input["refresh_id"])

    def finish(self, name: str) -> Execution:
        """Wait (on real time, briefly) for the execution called ``name`` to end."""
        sfn = self.aws.client("stepfunctions")
        machine = self.stack.refs["RefreshStateMachine"]
        arn = f"{machine.replace(':stateMachine:', ':execution:')}:{name}"
        described = self._until_finished(sfn, arn)
        pages = sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
        history = [event for page in pages for event in page["events"]]
        output = json.loads(described.get("output") or "{}")
        waits, self.waits = self.waits, []
        return Execution(described["status"], output, [dict(e) for e in history], waits)

    def _until_finished(self, sfn: Any, arn: str) -> dict[str, Any]:
        # The engine runs on its own thread; this only yields to it. Virtual
        # time, not this loop, decides what the workflow sees.
        limit = time.monotonic() + REAL_TIME_LIMIT
        while time.monotonic() < limit:
            described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                return described
            time.sleep(0.005)
        raise TimeoutError(f"execution {arn} still running after {REAL_TIME_LIMIT}s")
