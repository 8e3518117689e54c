"""The Mono sandbox on loopback, as the offline stack serves it: a real socket, its
paging links pointing where it is served, webhooks POSTed over HTTP."""

from collections.abc import Iterator

import httpx
import pytest
from flask import Flask, request

from devstack.loopback import LoopbackServer
from devstack.sandbox_mono import SANDBOX_SECRET_KEY, MonoSandbox, MonoWorld
from devstack.sandbox_mono.server import MonoSandboxServer
from tests.support.mono_sandbox import account
from tests.support.sandbox import VirtualClock


@pytest.fixture
def served() -> Iterator[tuple[MonoSandbox, MonoSandboxServer, VirtualClock]]:
    clock = VirtualClock()
    sandbox = MonoSandbox(MonoWorld(realtime_delay=0), clock=clock, sleep=clock.sleep)
    server = MonoSandboxServer(sandbox).start()
    yield sandbox, server, clock
    server.stop()


def test_the_sandbox_answers_on_loopback_and_links_to_itself(
    served: tuple[MonoSandbox, MonoSandboxServer, VirtualClock],
) -> None:
    sandbox, server, clock = served
    headers = {"mono-sec-key": SANDBOX_SECRET_KEY}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=5) as http:
        code = sandbox.link_account(account(1, initial_transactions=30))
        account_id = http.post("/v2/accounts/auth", json={"code": code}).json()["id"]
        clock.advance(sandbox.world.link_data_delay)
        page = http.get(f"/v2/accounts/{account_id}/transactions", params={"limit": 10})
        assert (
            page.json()["meta"]["next"] == f"{server.base_url}/v2/{account_id}/transactions?page=2"
        )
        answer = http.get(f"/v2/accounts/{account_id}/balance", headers={"x-realtime": "true"})
        assert answer.headers["x-job-status"] == "finished"


def test_webhooks_reach_a_business_over_http(
    served: tuple[MonoSandbox, MonoSandboxServer, VirtualClock],
) -> None:
    sandbox, _, _ = served
    received: list[tuple[str | None, object]] = []
    business = Flask("business")

    @business.post("/hooks")
    def hooks() -> tuple[str, int]:
        received.append((request.headers.get("mono-webhook-secret"), request.get_json()))
        return "", 200

    endpoint = LoopbackServer(business).start()
    try:
        sandbox.outbox.send_to(f"{endpoint.url}/hooks", "s3cret")
        sandbox.link_account(account(1))
        assert sandbox.tick() == 1
    finally:
        endpoint.stop()
    ((secret, payload),) = received
    assert secret == "s3cret"
    assert isinstance(payload, dict)
    assert payload["event"] == "mono.events.account_connected"
