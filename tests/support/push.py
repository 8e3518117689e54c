"""The provider's push end to end: sandbox webhooks → receiver → EventsTable stream →
push listener → fetch queue → fetcher → DataTable stream → notifier, on virtual time.

Every event source is pumped from the template's own definitions (filters
included), so a webhook reaches a function only if Lambda would deliver it.
"""

import base64
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx
import pytest

from banksync.bankdata.store import BankDataStore
from banksync.okra.client import OkraClient
from banksync.provider.secret import SecretKey
from banksync.push.updates import PushedUpdate, PushedUpdateStore
from devstack.event_sources import SourcePump, pumps_for
from devstack.lambdas import LambdaContext
from devstack.sandbox import Sandbox, World
from tests.support.lambdas import WEBHOOK_TOKEN, cold_start, load_event
from tests.support.sandbox import SANDBOX_BASE_URL
from tests.support.sync import SyncHarness

PUMPED = ("PushListenerFunction", "PushFetcherFunction", "NotifierFunction")


@dataclass
class PushHarness:
    sync: SyncHarness
    listener: ModuleType
    fetcher: ModuleType
    notifier: ModuleType | None
    pumps: dict[str, list[SourcePump]]
    sandbox: Sandbox | None = None

    @classmethod
    def build(
        cls, sync: SyncHarness, monkeypatch: pytest.MonkeyPatch, notifier: ModuleType | None
    ) -> "PushHarness":
        listener = cold_start(sync.stack, "PushListenerFunction", monkeypatch)
        fetcher = cold_start(sync.stack, "PushFetcherFunction", monkeypatch)
        listener.listener.clock = fetcher.fetcher.clock = sync.refresh.now
        sync.receiver.receiver._clock = sync.refresh.now
        pumps = {k: v for k, v in pumps_for(sync.stack, sync.aws).items() if k in PUMPED}
        harness = cls(sync, listener, fetcher, notifier, pumps)
        sync.refresh.between = harness.settle
        sync.refresh.next_event = harness.next_event
        return harness

    def next_event(self) -> float | None:
        return self.sandbox.next_event_at() if self.sandbox is not None else None

    def use(self, world: World) -> Sandbox:
        """The sandbox, its webhooks POSTed to the stack's receiver as API Gateway would."""
        sandbox = self.sync.refresh.use(world)
        self.fetcher.fetcher.budget = self.sync.refresh.budget()
        secret = SecretKey(self.sync.stack.refs["OkraSecretKey"])
        self.fetcher.fetcher.provider = OkraClient(
            SANDBOX_BASE_URL, secret, transport=sandbox.transport()
        )
        sandbox.outbox.send_to(
            "https://api.banksync.test/webhooks/okra",
            WEBHOOK_TOKEN,
            transport=httpx.MockTransport(self._receive),
        )
        self.sandbox = sandbox
        return sandbox

    def settle(self, rounds: int = 20) -> None:
        """Deliver due webhooks and pump every source until nothing moves."""
        assert self.sandbox is not None
        for _ in range(rounds):
            moved = self.sandbox.tick()
            for logical_id in PUMPED:
                module = self._module(logical_id)
                for pump in self.pumps.get(logical_id, []):
                    if module is not None:
                        moved += pump.run_once(self._handler(module))
            if not moved:
                return
        raise AssertionError("the push path did not settle")

    def advance(self, seconds: float, step: float = 1.0) -> None:
        """Let ``seconds`` of virtual time pass, settling after each ``step``."""
        clock = self.sync.refresh.clock
        end = clock.now + seconds
        while clock.now < end:
            clock.advance(min(step, end - clock.now))
            self.settle()

    def update(self, record_id: str, product: str) -> PushedUpdate | None:
        store = PushedUpdateStore(self.sync.stack.refs["DataTable"], self._dynamodb())
        return store.get(record_id, product)

    def bank(self) -> BankDataStore:
        return BankDataStore(self.sync.stack.refs["DataTable"], self._dynamodb())

    def _dynamodb(self) -> Any:
        return self.sync.aws.client("dynamodb")

    def _module(self, logical_id: str) -> ModuleType | None:
        return {
            "PushListenerFunction": self.listener,
            "PushFetcherFunction": self.fetcher,
            "NotifierFunction": self.notifier,
        }[logical_id]

    @staticmethod
    def _handler(module: ModuleType) -> Any:
        return lambda event: module.lambda_handler(event, LambdaContext())

    def _receive(self, request: httpx.Request) -> httpx.Response:
        event = load_event("webhook_balance_success.json")
        event["body"] = base64.b64encode(request.content).decode()
        event["isBase64Encoded"] = True
        event["headers"]["authorization"] = request.headers.get("authorization", "")
        response = self.sync.receiver.lambda_handler(event, LambdaContext())
        return httpx.Response(response["statusCode"], content=response.get("body", ""))
