"""Mono through the stack: its webhooks authenticated and stored once, banksync's own
refreshes as Mono real-time jobs (the real ASL on moto), woken by Mono's webhook or
polled when it is lost, its 429 holding Mono alone."""

import base64
import json
from datetime import datetime
from types import ModuleType
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banksync.budget.limiter import ProviderBudget
from banksync.dynamo import from_item, plain
from banksync.inbound.receive import WebhookReceiver
from banksync.inbound.settings import ReceiverSettings
from banksync.refresh.runs import RefreshRunStore
from banksync.sync.reauth import ReauthListener
from devstack.lambdas import LambdaContext
from devstack.sandbox_mono import MonoAccountSpec, MonoWorld
from devstack.template import StackTemplate
from tests.support.lambdas import cold_start, load_event
from tests.support.mono_push import use_mono
from tests.support.push import PushHarness
from tests.support.stack import MONO_WEBHOOK_SECRET

ACCOUNT, CUSTOMER = "65f0a1b2c3d4e5f6a7b8c9d0", "65f0a1b2c3d4e5f6a7b8c9ff"
CONNECTED = {
    "event": "mono.events.account_connected",
    "event_id": "evt_0123456789",
    "data": {"id": ACCOUNT, "customer": CUSTOMER, "meta": {"data_status": "PROCESSING"}},
}


def mono_webhook(body: dict[str, Any], secret: str | None) -> dict[str, Any]:
    event = load_event("webhook_balance_success.json")
    event["rawPath"] = "/webhooks/mono"
    event["routeKey"] = "POST /webhooks/mono"
    event["body"] = base64.b64encode(json.dumps(body).encode()).decode()
    event["isBase64Encoded"] = True
    event["headers"] = {"content-type": "application/json"}
    if secret is not None:
        event["headers"]["mono-webhook-secret"] = secret
    return event


def answer(receiver: ModuleType, event: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = receiver.lambda_handler(event, LambdaContext())
    return response


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.none(),
        st.just(""),
        st.text(min_size=1, max_size=80).filter(lambda s: s != MONO_WEBHOOK_SECRET),
        st.just(MONO_WEBHOOK_SECRET[:-1]),
        st.just(MONO_WEBHOOK_SECRET + "x"),
    )
)
def test_a_webhook_without_mono_s_secret_is_refused_and_not_stored(
    receiver: ModuleType, stored_events: Any, presented: str | None
) -> None:
    if presented is not None and not presented.isprintable():
        presented = "forged"
    response = answer(receiver, mono_webhook(CONNECTED, presented))
    assert response["statusCode"] == 401
    assert "mono-webhook-secret" in json.loads(response["body"])["error"]["fields"]
    assert stored_events() == []


def test_mono_s_webhook_is_stored_once_with_its_provider(
    receiver: ModuleType, stored_events: Any
) -> None:
    first = answer(receiver, mono_webhook(CONNECTED, MONO_WEBHOOK_SECRET))
    again = answer(receiver, mono_webhook(CONNECTED, MONO_WEBHOOK_SECRET))
    assert (first["statusCode"], again["statusCode"]) == (200, 200)
    assert json.loads(again["body"])["status"] == "duplicate"
    (stored,) = stored_events()
    assert stored["provider"] == {"S": "mono"}
    assert stored["event_id"]["S"].startswith("mono:")


def test_a_provider_the_stack_has_not_switched_on_answers_404(
    stack: StackTemplate, monkeypatch: pytest.MonkeyPatch, stored_events: Any
) -> None:
    module = cold_start(stack, "WebhookReceiverFunction", monkeypatch)
    monkeypatch.setenv("PROVIDERS", "okra")
    receiver_now = WebhookReceiver.from_settings(ReceiverSettings.from_environ())
    monkeypatch.setattr(module, "receiver", receiver_now)
    response = answer(module, mono_webhook(CONNECTED, MONO_WEBHOOK_SECRET))
    assert response["statusCode"] == 404
    assert "mono" in json.loads(response["body"])["error"]["message"]
    assert stored_events() == []


def one_mono_account(**world: Any) -> MonoWorld:
    return MonoWorld(accounts=[MonoAccountSpec(ACCOUNT, CUSTOMER)], **world)


def mono_refresh(push: PushHarness, refresh_id: str) -> Any:
    items = [{"account_id": ACCOUNT, "product": p} for p in ("balance", "transactions")]
    return push.sync.refresh.run({"refresh_id": refresh_id, "provider": "mono", "items": items})


@pytest.fixture
def runs(aws: boto3.Session, stack: StackTemplate) -> RefreshRunStore:
    return RefreshRunStore(stack.refs["DataTable"], aws.client("dynamodb"))


def test_a_mono_refresh_is_a_real_time_job_woken_by_mono_s_webhook(
    push: PushHarness, runs: RefreshRunStore
) -> None:
    sandbox = use_mono(push, one_mono_account(realtime_delay=90))
    started = push.sync.refresh.clock.now
    execution = mono_refresh(push, "mono-woken")
    assert execution.status == "SUCCEEDED"
    items = runs.items("mono-woken")
    assert {item.status for item in items} == {"succeeded"}
    assert all(item.pushed_at for item in items), "woken by the webhook, not polled"
    for item in items:
        stored = datetime.fromisoformat(item.finished_at or "").timestamp()
        assert stored - (started + 90) <= 2, "stored within seconds of the job's end"
    realtime = [call for call in sandbox.calls if call.realtime]
    assert len({call.job_id for call in realtime}) == 1, "one real-time job for the account"
    bank = push.bank()
    assert len(bank.transactions(ACCOUNT)) == 12
    assert all(row.get("provider") == "mono" for row in bank.transactions(ACCOUNT))
    balance = bank.latest_balance(ACCOUNT)
    assert balance is not None
    assert balance["provider"] == "mono"


def test_a_mono_refresh_whose_webhooks_are_lost_polls_the_job(
    push: PushHarness, runs: RefreshRunStore
) -> None:
    sandbox = use_mono(push, one_mono_account(realtime_delay=40))
    sandbox.faults.drop_webhooks(100)
    execution = mono_refresh(push, "mono-polled")
    assert execution.status == "SUCCEEDED"
    items = runs.items("mono-polled")
    assert {item.status for item in items} == {"succeeded"}
    assert not any(item.pushed_at for item in items)
    assert any("/jobs/" in call.path for call in sandbox.calls), "the job looked up"


def test_a_429_from_mono_holds_mono_and_not_okra(
    push: PushHarness, runs: RefreshRunStore, aws: boto3.Session, stack: StackTemplate
) -> None:
    sandbox = use_mono(push, one_mono_account(realtime_delay=30))
    sandbox.faults.fail_next(429, times=1)
    execution = mono_refresh(push, "mono-held")
    assert execution.status == "SUCCEEDED"
    assert {item.status for item in runs.items("mono-held")} == {"succeeded"}
    clock = push.sync.refresh.clock
    client = aws.client("dynamodb")
    table = stack.refs["DataTable"]
    mono = ProviderBudget(table, 50, client, clock=clock, provider="mono")
    okra = ProviderBudget(table, 50, client, clock=clock)
    mono.hold(120)
    assert mono.take("on_demand") > 0
    assert okra.take("on_demand") == 0, "Okra's calls go on"


def test_a_mono_account_that_needs_re_authorisation_is_marked_and_lifted(
    push: PushHarness, runs: RefreshRunStore, stored_events: Any
) -> None:
    """Mono tells re-authorisation from another failure only in its account webhook:
    the job fails, and the webhook (through the account listener) marks the account;
    the customer's re-authorisation lifts the mark."""
    sandbox = use_mono(push, one_mono_account(realtime_delay=30))
    sandbox.require_reauth(ACCOUNT)
    execution = mono_refresh(push, "mono-reauth")
    assert execution.status == "SUCCEEDED"
    assert {item.status for item in runs.items("mono-reauth")} <= {"failed", "reauth_required"}
    push.settle()  # Mono's webhooks about the failed job
    bank = push.bank()
    listener = ReauthListener(bank)
    for event in stored_events():
        listener.on_event(plain(from_item(event)))
    account = bank.account(ACCOUNT)
    assert account is not None
    assert account.get("reauth_required_at"), "marked by Mono's account webhook"
    link = push.sync.refresh.modules["RefreshStarterFunction"].workflow.steps.desk.client
    sandbox.complete_link(link.reauthorisation_link(ACCOUNT, "https://example.com/back", "r1"))
    push.advance(10)
    for event in stored_events():
        listener.on_event(plain(from_item(event)))
    account = bank.account(ACCOUNT)
    assert account is not None
    assert not account.get("reauth_required_at"), "lifted by account_reauthorized"


def test_mono_s_webhooks_from_outside_the_allowed_sources_are_refused(
    stack: StackTemplate, monkeypatch: pytest.MonkeyPatch, stored_events: Any
) -> None:
    module = cold_start(stack, "WebhookReceiverFunction", monkeypatch)
    monkeypatch.setenv("MONO_WEBHOOK_SOURCE_CIDRS", "203.0.113.0/24, 2001:db8::/32")
    receiver_now = WebhookReceiver.from_settings(ReceiverSettings.from_environ())
    monkeypatch.setattr(module, "receiver", receiver_now)
    outside = mono_webhook(CONNECTED, MONO_WEBHOOK_SECRET)
    outside["requestContext"]["http"]["sourceIp"] = "198.51.100.7"
    response = answer(module, outside)
    assert response["statusCode"] == 403
    assert "source_ip" in json.loads(response["body"])["error"]["fields"]
    assert stored_events() == []
    inside = mono_webhook(CONNECTED, MONO_WEBHOOK_SECRET)
    inside["requestContext"]["http"]["sourceIp"] = "203.0.113.9"
    assert answer(module, inside)["statusCode"] == 200
    assert len(stored_events()) == 1
