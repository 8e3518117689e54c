"""Outbound-webhook harness: subscriber endpoints (in-process, and a real one on
loopback answering from a script), pumps, and the operator API's delivery routes."""

import os
import socket
import struct
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import httpx
from standardwebhooks import Webhook
from werkzeug.wrappers import Request, Response

from banksync.bankdata.store import BankDataStore
from banksync.delivery.model import Delivery
from banksync.delivery.store import DeliveryStore
from devstack.lambdas import LambdaContext
from devstack.loopback import LoopbackServer
from devstack.queues import QueuePump
from devstack.sandbox import AccountSpec, Scenario, World
from devstack.streams import StreamPump
from tests.support.lambdas import http_event, invoke, json_body
from tests.support.sandbox import provider_account
from tests.support.sync import SyncHarness

HOOK = "https://hooks.example.com/okra"


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

    def deliver_until_done(self, max_steps: int = 400, step: float = 60) -> None:
        pump = self._pump()
        for _ in range(max_steps):
            if pump.deliver(self._deliver) is None:
                if not pump.receive_later():
                    return
                self.sync.refresh.clock.advance(step)  # the queue's delays, on virtual time
        raise AssertionError("deliveries did not finish")

    def api(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, dict[str, str]]:
        """The operator API, as API Gateway invokes it: (status, JSON body, headers)."""
        event = http_event(method, path, body, query)
        event["headers"].pop("idempotency-key", None)
        event["headers"] |= headers or {}
        response = invoke(self.sync.api, event)
        answer = json_body(response) if response.get("body") else None
        return int(response["statusCode"]), answer, dict(response.get("headers") or {})

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


def refreshed_subscription(
    delivering: Delivering,
    products: list[str],
    url: str = HOOK,
    before_end: Callable[[str], object] | None = None,
    **fields: Any,
) -> str:
    """A subscription with a webhook, one scheduled refresh run to its end (``before_end``
    is called with the subscription's id while the refresh is under way)."""
    sync = delivering.sync
    spec = AccountSpec("acct-1", "cust-1", scenario=Scenario(ready_after=20))
    sync.refresh.use(World(accounts=[spec]))
    BankDataStore(sync.stack.refs["DataTable"], sync.aws.client("dynamodb")).register_account(
        provider_account(spec), "2026-11-01T00:00:00.000Z"
    )
    body = {"customer": "cust-1", "products": products, "webhook_url": url, **fields}
    created = sync.subscribe(body)
    delivering.subscriber.secret = created["signing_secret"]
    sync.fire(created["subscription_id"])
    sync.deliver_due_work()
    (execution,) = sync.executions()
    if before_end:
        before_end(created["subscription_id"])
    sync.refresh.finish(execution["name"])
    delivering.pump_data_stream()
    return str(created["subscription_id"])


# What the loopback receiver does with one request: answer (status, headers),
# "hang" (no answer until the sender gives up), or "reset" (TCP RST, no answer).
Scripted = tuple[int, dict[str, str]] | str


class LoopbackReceiver(LoopbackServer):
    """A subscriber's endpoint on real loopback sockets, answering from a script
    (then 200), recording every request it read."""

    def __init__(self) -> None:
        super().__init__(self._app)
        self.script: list[Scripted] = []
        self.received: list[dict[str, Any]] = []
        self._released = threading.Event()

    @property
    def hook_url(self) -> str:
        return f"{self.url}/hooks/banksync"

    def start(self) -> "LoopbackReceiver":
        super().start()
        return self

    def stop(self) -> None:
        self._released.set()
        super().stop()

    def verify(self, secret: str, index: int = -1) -> dict[str, Any]:
        """Request ``index`` verified by the Standard Webhooks library with ``secret``."""
        request = self.received[index]
        payload: dict[str, Any] = Webhook(secret).verify(request["body"], request["headers"])
        return payload

    def _app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        self.received.append(
            {"body": request.get_data(as_text=True), "headers": dict(request.headers)}
        )
        step = self.script.pop(0) if self.script else (200, {})
        if step == "hang":
            self._released.wait(timeout=10)
            return Response(status=200)(environ, start_response)
        if step == "reset":
            connection: socket.socket = environ["werkzeug.socket"]
            # Linger 0: closing sends RST instead of FIN. The server's own objects
            # hold the socket open, so its descriptor is taken from them and closed.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(connection.detach())
            return []
        assert isinstance(step, tuple)
        status, headers = step
        return Response(status=status, headers=headers)(environ, start_response)
