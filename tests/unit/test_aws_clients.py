"""Which AWS clients a function makes at cold start: only those every invocation uses."""

import threading
from typing import Any

import boto3
import pytest

from banksync.api import deliveries, refreshes, subscriptions, sweeps
from banksync.api.settings import ApiSettings
from banksync.aws_clients import LazyClient
from banksync.delivery.deliverer import build_deliverer
from banksync.delivery.settings import DeliveryApiSettings, DeliverySettings
from banksync.subscriptions.schedules import ScheduleTarget
from banksync.sync.batcher import build_batcher
from banksync.sync.settings import BatcherSettings


class Made:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.services: list[str] = []
        lock = threading.Lock()

        def client(service: str, *_: Any, **__: Any) -> Any:
            with lock:
                self.services.append(service)
            return _FakeClient(service)

        monkeypatch.setattr(boto3, "client", client)


class _FakeClient:
    def __init__(self, service: str) -> None:
        self.service = service

    def send_message(self, **_: Any) -> dict[str, str]:
        return {"MessageId": self.service}


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Made:
    return Made(monkeypatch)


def test_a_lazy_client_is_made_once_on_first_use_whatever_the_threads(made: Made) -> None:
    lazy = LazyClient("sqs")
    assert made.services == []
    assert not lazy.made
    threads = [threading.Thread(target=lambda: lazy.send_message(QueueUrl="q")) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert made.services == ["sqs"]
    assert lazy.made
    assert lazy.send_message(QueueUrl="q") == {"MessageId": "sqs"}


def test_the_deliverer_starts_with_one_dynamodb_client_and_kms(made: Made) -> None:
    build_deliverer(DeliverySettings("data", "https://sqs/q", "key", False))
    assert sorted(made.services) == ["dynamodb", "kms"], "SQS only carries a retry"


def test_the_operator_api_starts_with_its_dynamodb_client_alone(made: Made) -> None:
    target = ScheduleTarget("group", "arn:queue", "arn:role", "arn:dlq")
    settings = ApiSettings("data", "idem", "arn:sm", 3600, target, "key", False, "https://sqs/d")
    dynamodb, sqs = boto3.client("dynamodb"), LazyClient("sqs")
    refreshes.RefreshRoutes(settings, dynamodb)
    subscriptions.build_service(settings, dynamodb)
    sweeps.SweepRoutes(settings, dynamodb, sqs)
    deliveries.DeliveryRoutes(settings, DeliveryApiSettings("https://sqs/q", 10, 24), dynamodb, sqs)
    assert made.services == ["dynamodb"], "a read never schedules, encrypts, queues or starts"


def test_the_batcher_starts_with_dynamodb_and_step_functions(made: Made) -> None:
    target = ScheduleTarget("group", "arn:queue", "arn:role", "arn:dlq")
    build_batcher(BatcherSettings("data", "arn:sm", target, due_refresh_queue_url="https://q"))
    assert sorted(made.services) == ["dynamodb", "stepfunctions"], "no repair, no sweep yet"
