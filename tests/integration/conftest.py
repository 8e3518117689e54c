from collections.abc import Iterator
from datetime import datetime
from types import ModuleType
from typing import Any

import boto3
import httpx
import pytest
from moto.dynamodb.models import DynamoDBBackend

from banksync.delivery.sender import WebhookSender
from devstack import moto_transactions
from devstack.template import StackTemplate
from tests.support.aws_calls import Recording
from tests.support.delivery import Delivering, Subscriber
from tests.support.lambdas import cold_start
from tests.support.push import PushHarness
from tests.support.sync import SyncHarness
from tests.support.workflow import RefreshHarness
from tests.unit.test_subscription_rules import resolve


@pytest.fixture(autouse=True)
def calls_allowed(aws_calls_judged: Recording) -> Recording:
    """Every AWS call a function (or the state machine) makes here is one its role allows."""
    return aws_calls_judged


@pytest.fixture
def receiver(stack: StackTemplate, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return cold_start(stack, "WebhookReceiverFunction", monkeypatch)


@pytest.fixture
def events_table(stack: StackTemplate) -> str:
    return stack.refs["EventsTable"]


@pytest.fixture
def stored_events(aws: boto3.Session, events_table: str) -> Any:
    def scan() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = aws.client("dynamodb").scan(TableName=events_table)["Items"]
        return items

    return scan


@pytest.fixture
def atomic_dynamodb_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make moto's conditional writes atomic, as DynamoDB's are.

    moto checks a condition and then writes without a lock, so concurrent
    requests could both pass the check; DynamoDB never lets that happen.
    """
    # The embedded AWS's own write lock (devstack.moto_transactions), reentrant: one
    # lock of its own here could deadlock against a transaction holding that one.
    lock = moto_transactions._writes
    for name in ("put_item", "update_item"):
        original = getattr(DynamoDBBackend, name)

        def atomic(
            self: DynamoDBBackend, *args: Any, _original: Any = original, **kwargs: Any
        ) -> Any:
            with lock:
                return _original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, atomic)


@pytest.fixture
def refresh(
    aws: boto3.Session, stack: StackTemplate, monkeypatch: pytest.MonkeyPatch
) -> RefreshHarness:
    return RefreshHarness(aws, stack, monkeypatch)


@pytest.fixture
def sync(
    aws: boto3.Session,
    stack: StackTemplate,
    refresh: RefreshHarness,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[SyncHarness]:
    # Executions run on after the call that started them: tasks stay in-process throughout.
    with refresh.dispatcher.installed():
        yield SyncHarness.build(aws, stack, refresh, monkeypatch)


@pytest.fixture
def delivering(sync: SyncHarness, monkeypatch: pytest.MonkeyPatch) -> Delivering:
    clock = sync.refresh.clock
    monkeypatch.setattr("moto.sqs.models.unix_time_millis", lambda: clock.now * 1000)
    monkeypatch.setattr("moto.sqs.models.unix_time", lambda: clock.now)
    monkeypatch.setattr("banksync.subscriptions.webhook_urls.resolve_host", resolve)

    class SubscriberTime(datetime):
        """The subscriber checks signature timestamps against its own (virtual) clock."""

        @classmethod
        def now(cls, tz: Any = None) -> "SubscriberTime":
            return cls.fromtimestamp(clock.now, tz)

    monkeypatch.setattr("standardwebhooks.webhooks.datetime", SubscriberTime)
    notifier = cold_start(sync.stack, "NotifierFunction", monkeypatch)
    deliverer = cold_start(sync.stack, "WebhookDelivererFunction", monkeypatch)
    subscriber = Subscriber()
    notifier.notifier.clock = deliverer.deliverer.clock = sync.refresh.now
    deliverer.deliverer.sender = WebhookSender(transport=httpx.MockTransport(subscriber))
    return Delivering(sync, notifier, deliverer, subscriber)


@pytest.fixture
def push(sync: SyncHarness, monkeypatch: pytest.MonkeyPatch) -> Iterator[PushHarness]:
    harness = PushHarness.build(sync, monkeypatch, notifier=None)
    with sync.refresh.dispatcher.installed():
        yield harness


@pytest.fixture
def push_delivering(
    delivering: Delivering, monkeypatch: pytest.MonkeyPatch
) -> tuple[PushHarness, Delivering]:
    return PushHarness.build(delivering.sync, monkeypatch, delivering.notifier), delivering
