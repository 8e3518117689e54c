"""Mono's side of the push path: its sandbox's calls and webhooks wired into the stack's
refresh tasks, receiver, listeners and fetcher, on the refresh harness's virtual time."""

import base64
from typing import Any

import httpx

from banksync.budget.limiter import ProviderBudget
from banksync.mono.client import MonoClient
from banksync.provider.port import Provider
from banksync.provider.secret import SecretKey
from devstack.lambdas import LambdaContext
from devstack.sandbox_mono import MonoSandbox, MonoWorld
from tests.support.lambdas import load_event
from tests.support.push import PushHarness
from tests.support.stack import MONO_WEBHOOK_SECRET

MONO_BASE_URL = "https://api.withmono.com"


class SandboxDesk:
    """A ProviderDesk whose Mono is the sandbox (the default provider stays the steps')."""

    def __init__(self, client: Provider, budget: ProviderBudget) -> None:
        self.client, self.mono_budget = client, budget

    def provider(self, name: str) -> Provider:
        assert name == "mono", name
        return self.client

    def budget(self, name: str) -> ProviderBudget:
        assert name == "mono", name
        return self.mono_budget


def use_mono(push: PushHarness, world: MonoWorld, rate: int = 50) -> MonoSandbox:
    """Mono's sandbox behind every function that calls Mono; its webhooks POSTed to
    the stack's ``/webhooks/mono`` with ``secret`` as API Gateway would."""
    refresh = push.sync.refresh
    sandbox = MonoSandbox(world, clock=refresh.clock, sleep=refresh.clock.sleep)
    table, dynamodb = push.sync.stack.refs["DataTable"], push.sync.aws.client("dynamodb")
    budget = ProviderBudget(table, rate, dynamodb, clock=refresh.clock, provider="mono")
    key = SecretKey(push.sync.stack.refs["MonoSecretKey"])
    client = MonoClient(MONO_BASE_URL, key, transport=sandbox.transport())
    desk = SandboxDesk(client, budget)
    for module in refresh.modules.values():
        module.workflow.steps.desk = desk
    push.fetcher.fetcher.desk = desk
    receiver = push.sync.receiver

    def receive(request: httpx.Request) -> httpx.Response:
        event = load_event("webhook_balance_success.json")
        event["rawPath"] = "/webhooks/mono"
        event["routeKey"] = "POST /webhooks/mono"
        event["requestContext"]["http"]["path"] = "/webhooks/mono"
        event["body"] = base64.b64encode(request.content).decode()
        event["isBase64Encoded"] = True
        event["headers"] = {
            "content-type": "application/json",
            "mono-webhook-secret": request.headers.get("mono-webhook-secret", ""),
        }
        response: dict[str, Any] = receiver.lambda_handler(event, LambdaContext())
        return httpx.Response(response["statusCode"], content=response.get("body", ""))

    sandbox.outbox.send_to(
        "https://api.banksync.test/webhooks/mono",
        MONO_WEBHOOK_SECRET,
        transport=httpx.MockTransport(receive),
    )
    push.sandbox = sandbox  # type: ignore[assignment]  # ticks and wakes as Okra's does
    return sandbox
