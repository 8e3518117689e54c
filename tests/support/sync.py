"""Data sync end to end: API, schedules, queue, batcher, workflow, stream, on virtual time."""

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import pytest

from devstack.lambdas import LambdaContext
from devstack.queues import QueuePump
from devstack.scheduler import fire
from devstack.streams import StreamPump
from devstack.template import StackTemplate
from tests.support.lambdas import cold_start, http_event, invoke, json_body
from tests.support.workflow import RefreshHarness


@dataclass
class SyncHarness:
    aws: boto3.Session
    stack: StackTemplate
    refresh: RefreshHarness
    api: ModuleType
    batcher: ModuleType
    receiver: ModuleType
    listener: ModuleType

    @classmethod
    def build(
        cls,
        aws: boto3.Session,
        stack: StackTemplate,
        refresh: RefreshHarness,
        monkeypatch: pytest.MonkeyPatch,
    ) -> "SyncHarness":
        def load(logical_id: str) -> ModuleType:
            return cold_start(stack, logical_id, monkeypatch)

        # SQS delays (the sweep's paced pages) pass on virtual time.
        clock = refresh.clock
        monkeypatch.setattr("moto.sqs.models.unix_time_millis", lambda: clock.now * 1000)
        monkeypatch.setattr("moto.sqs.models.unix_time", lambda: clock.now)

        return cls(
            aws,
            stack,
            refresh,
            load("SyncApiFunction"),
            load("RefreshBatcherFunction"),
            load("WebhookReceiverFunction"),
            load("AuthListenerFunction"),
        )

    def __post_init__(self) -> None:
        self.batcher.batcher.clock = self.refresh.now
        self.batcher.batcher.daily.launcher.clock = self.refresh.now
        self.batcher.batcher.daily.pager.clock = self.refresh.now

    def subscribe(self, body: dict[str, Any]) -> dict[str, Any]:
        response = invoke(self.api, http_event("POST", "/subscriptions", body))
        assert response["statusCode"] in (200, 201), response
        created: dict[str, Any] = json_body(response)
        return created

    def schedule(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] = dict(
            self.aws.client("scheduler").get_schedule(
                Name=name, GroupName=self.stack.refs["ScheduleGroup"]
            )
        )
        return found

    def fire(self, name: str) -> str:
        return fire(self.aws, self.schedule(name))

    def deliver_due_work(self) -> dict[str, Any] | None:
        """The queue's next batch to the batcher, as Lambda's SQS event source would."""
        return self._due_pump().deliver(self._batcher)

    def _due_pump(self) -> QueuePump:
        return QueuePump(
            self.aws,
            self.stack.refs["DueRefreshQueue"],
            self.stack.attributes["DueRefreshQueue.Arn"],
        )

    def drain_due_work(self, max_batches: int = 200) -> int:
        """Deliver due work until the queue is empty, letting delays pass on virtual time;
        returns the batches delivered."""
        pump = self._due_pump()
        for delivered in range(max_batches):
            if pump.deliver(self._batcher) is None:
                # Executions' parks move the clock too: a message delayed a moment ago
                # may be visible now, so the queue is empty only if nothing is in it.
                if not pump.receive_later() and not pump.visible():
                    return delivered
                self.refresh.clock.advance(30)
        raise AssertionError("due work did not drain")

    def executions(self) -> list[dict[str, Any]]:
        sfn = self.aws.client("stepfunctions")
        machine = self.stack.refs["RefreshStateMachine"]
        found = sfn.list_executions(stateMachineArn=machine)["executions"]
        return [
            {**e, "input": sfn.describe_execution(executionArn=e["executionArn"])["input"]}
            for e in found
        ]

    def pump_events_stream(self) -> None:
        stream = StreamPump(self.aws, self.stack.attributes["EventsTable.StreamArn"])
        records = stream.poll()
        if records:
            self.listener.lambda_handler({"Records": records}, LambdaContext())

    def _batcher(self, event: dict[str, Any]) -> Any:
        return self.batcher.lambda_handler(event, LambdaContext())
