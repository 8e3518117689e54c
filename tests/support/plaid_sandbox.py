"""The Plaid sandbox on loopback, driven by the official ``plaid-python`` client on a
virtual clock; webhooks go to a receiver the test scripts."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import plaid
from plaid.api import plaid_api

from devstack.loopback import LoopbackServer
from devstack.sandbox_plaid import (
    SANDBOX_CLIENT_ID,
    SANDBOX_SECRET,
    PlaidSandbox,
    PlaidWorld,
)
from tests.support.sandbox import VirtualClock

HOOK = "https://business.example/webhooks/plaid"


class Receiver:
    """The business's webhook endpoint: answers what the test scripts, records what came."""

    def __init__(self, *answers: int) -> None:
        self.answers = list(answers)
        self.received: list[tuple[bytes, str | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append((request.content, request.headers.get("plaid-verification")))
        return httpx.Response(self.answers.pop(0) if self.answers else 200)

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(body) for body, _ in self.received]

    @property
    def codes(self) -> list[str]:
        return [payload["webhook_code"] for payload in self.payloads]


class PlaidHarness:
    def __init__(
        self, sandbox: PlaidSandbox, clock: VirtualClock, host: str, receiver: Receiver
    ) -> None:
        self.sandbox, self.clock, self.host, self.receiver = sandbox, clock, host, receiver
        self.client = self.client_with(SANDBOX_SECRET)

    def client_with(self, secret: str) -> plaid_api.PlaidApi:
        configuration = plaid.Configuration(
            host=self.host,
            api_key={"clientId": SANDBOX_CLIENT_ID, "secret": secret},
        )
        return plaid_api.PlaidApi(plaid.ApiClient(configuration))

    def advance(self, seconds: float) -> int:
        """Move time on and let the sandbox do what fell due; webhooks answered 200."""
        self.clock.advance(seconds)
        return self.sandbox.tick()

    def linked(self, webhook: str | None = HOOK) -> tuple[str, str]:
        """A sandbox Item, exchanged: (access_token, item_id), through the client."""
        from plaid.model.item_public_token_exchange_request import (
            ItemPublicTokenExchangeRequest,
        )

        public_token = self.sandbox.link_item(webhook)
        answer = self.client.item_public_token_exchange(
            ItemPublicTokenExchangeRequest(public_token=public_token)
        )
        return answer.access_token, answer.item_id


class _Current:
    """One loopback server for the test process, serving whichever sandbox a test made:
    stopping a server waits out its poll interval, too long to pay per test."""

    def __init__(self) -> None:
        self.app: Any = None
        self.server: LoopbackServer | None = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)

    def serve(self, sandbox: PlaidSandbox) -> str:
        self.app = sandbox.app
        if self.server is None:
            self.server = LoopbackServer(self).start()
        return self.server.url


_CURRENT = _Current()


@contextmanager
def plaid_harness(world: PlaidWorld | None = None, *answers: int) -> Iterator[PlaidHarness]:
    clock = VirtualClock()
    sandbox = PlaidSandbox(world, clock=clock, sleep=clock.sleep)
    receiver = Receiver(*answers)
    sandbox.outbox.deliver_through(httpx.MockTransport(receiver))
    yield PlaidHarness(sandbox, clock, _CURRENT.serve(sandbox), receiver)
