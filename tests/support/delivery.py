"""Outbound-webhook harness: a subscriber endpoint that verifies signatures, and pumps."""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import httpx
from standardwebhooks import Webhook

from banksync.delivery.model import Delivery
from banksync.delivery.store import DeliveryStore
from devstack.lambdas import LambdaContext
from devstack.queues import QueuePump
from devstack.streams import StreamPump
from tests.support.sync import SyncHarness


@dataclass
class Subscriber:
    """The subscriber's endpoint: verifies every signature, answers from a script."""

    secret: str = ""
    answers: list[Callable[[httpx.Request], httpx.Response]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = request.content.decode()
        payload = Webhook(self.secret).verify(body, dict(request.headers))
        self.received.append(
            {
                "payload": payload,
                "headers": dict(request.headers),
                "url": request.url,
                "sni": request.extensions.get("sni_hostname"),
            }
        )
        answer = self.answers.pop(0) if self.answers else (lambda _: httpx.Response(200))
        return answer(request)


@dataclass
class Delivering:
    sync: SyncHarness
    notifier: ModuleType
    deliverer: ModuleType
    subscriber: Subscriber

    def pump_data_stream(self) -> None:
        records = StreamPump(
            self.sync.aws, self.sync.stack.attributes["DataTable.StreamArn"]
        ).poll()
        if records:
            self.notifier.lambda_handler({"Records": records}, LambdaContext())

    def deliver_once(self) -> dict[str, Any] | None:
        return self._pump().deliver(self._deliver)

    def deliver_until_done(self, max_steps: int = 400) -> None:
        pump = self._pump()
        for _ in range(max_steps):
            if pump.deliver(self._deliver) is None:
                if not pump.receive_later():
                    return
                self.sync.refresh.clock.advance(60)  # the queue's DelaySeconds, on virtual time
        raise AssertionError("deliveries did not finish")

    def _pump(self) -> QueuePump:
        return QueuePump(
            self.sync.aws,
            self.sync.stack.refs["DeliveryQueue"],
            self.sync.stack.attributes["DeliveryQueue.Arn"],
        )

    def _deliver(self, event: dict[str, Any]) -> Any:
        return self.deliverer.lambda_handler(event, LambdaContext())

    def deliveries(self, subscription_id: str) -> list[Delivery]:
        store = DeliveryStore(self.sync.stack.refs["DataTable"], self.sync.aws.client("dynamodb"))
        return store.of_subscription(subscription_id)
