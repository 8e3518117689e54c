"""Linking Mono accounts through the operator API's handler: moto for AWS, Mono's
sandbox behind the client, every AWS call judged against the function's role."""

from types import ModuleType
from typing import Any

import boto3
import pytest

from banksync.mono.client import MonoClient
from banksync.provider.model import ProviderAccount
from banksync.provider.secret import SecretKey
from banksync.provider.settings import ProviderSettings
from devstack.sandbox_mono import SANDBOX_SECRET_KEY, MonoSandbox, MonoWorld
from devstack.template import StackTemplate
from tests.support.lambdas import cold_start, http_event, invoke, json_body
from tests.support.mono_sandbox import account
from tests.support.sandbox import VirtualClock

LINK = "/providers/mono/accounts"
CUSTOMER = "cust-0001"


class Mono:
    def __init__(self) -> None:
        self.clock = VirtualClock()
        self.sandbox = MonoSandbox(
            MonoWorld(realtime_delay=0), clock=self.clock, sleep=self.clock.sleep
        )

    def client(self, settings: ProviderSettings) -> MonoClient:
        key = SecretKey(settings.secret_key_arn)  # read from the stack's secret
        return MonoClient(settings.base_url, key, transport=self.sandbox.transport())


@pytest.fixture
def mono() -> Mono:
    return Mono()


def started(
    stack: StackTemplate,
    aws: boto3.Session,
    monkeypatch: pytest.MonkeyPatch,
    mono: Mono,
    providers: str = "okra,mono",
) -> ModuleType:
    stack.parameters["Providers"] = providers
    secrets = aws.client("secretsmanager")
    secrets.put_secret_value(SecretId=stack.refs["MonoSecretKey"], SecretString=SANDBOX_SECRET_KEY)
    monkeypatch.setattr("banksync.provider_desk.build_provider", mono.client)
    return cold_start(stack, "SyncApiFunction", monkeypatch)


@pytest.fixture
def api(
    stack: StackTemplate, aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, mono: Mono
) -> ModuleType:
    return started(stack, aws, monkeypatch, mono)


def call(api: ModuleType, path: str, body: Any) -> tuple[int, Any, dict[str, str]]:
    response = invoke(api, http_event("POST", path, body))
    answer = json_body(response) if response.get("body") else None
    return response["statusCode"], answer, response.get("headers") or {}


def reauth_path(account_id: str) -> str:
    return f"{LINK}/{account_id}/reauthorisation"


def read_account(stack: StackTemplate, monkeypatch: pytest.MonkeyPatch, account_id: str) -> Any:
    reads = cold_start(stack, "ReadApiFunction", monkeypatch)
    response = invoke(reads, http_event("GET", f"/accounts/{account_id}"))
    return response["statusCode"], json_body(response)


def test_a_widget_code_registers_the_account_for_the_customer_given(
    api: ModuleType, mono: Mono, stack: StackTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = mono.sandbox.link_account(account(1, customer_id="mono-customer-1"))
    status, linked, _ = call(api, LINK, {"customer": CUSTOMER, "code": code})
    assert status == 201, linked
    assert linked["account_id"] == account(1).account_id
    assert linked["customer_id"] == CUSTOMER
    assert linked["provider_customer_id"] == "mono-customer-1"
    assert linked["provider"] == "mono"
    assert (linked["bank_id"], linked["bank_name"], linked["currency"]) == ("058", "GTBank", "NGN")
    assert linked["reauth_required"] is False
    assert linked["registered_at"]

    status, shown = read_account(stack, monkeypatch, linked["account_id"])
    assert status == 200
    assert {k: shown[k] for k in linked if k in shown} == {
        k: v for k, v in linked.items() if k != "provider_customer_id"
    }


def test_an_account_id_the_business_holds_registers_it_and_again_updates_it(
    api: ModuleType, mono: Mono
) -> None:
    spec = account(2, customer_id="mono-customer-2")
    mono.sandbox.link_account(spec)
    status, linked, _ = call(api, LINK, {"customer": CUSTOMER, "account_id": spec.account_id})
    assert status == 201, linked
    assert (linked["account_id"], linked["customer_id"]) == (spec.account_id, CUSTOMER)
    status, again, _ = call(api, LINK, {"customer": "cust-0002", "account_id": spec.account_id})
    assert status == 201
    assert again["customer_id"] == "cust-0002"
    assert again["registered_at"] == linked["registered_at"]


def test_a_code_mono_refuses_is_a_422_naming_the_code(api: ModuleType, mono: Mono) -> None:
    code = mono.sandbox.link_account(account(3))
    assert call(api, LINK, {"customer": CUSTOMER, "code": code})[0] == 201
    status, answer, _ = call(api, LINK, {"customer": CUSTOMER, "code": code})  # used once
    assert status == 422
    assert answer["error"]["code"] == "provider_refused"
    assert "code is invalid, used or expired" in answer["error"]["fields"]["code"]


def test_an_account_id_mono_does_not_know_is_a_422_naming_it(api: ModuleType) -> None:
    status, answer, _ = call(api, LINK, {"customer": CUSTOMER, "account_id": "f" * 24})
    assert status == 422
    assert set(answer["error"]["fields"]) == {"account_id"}


@pytest.mark.parametrize(
    "body",
    [{"customer": CUSTOMER}, {"customer": CUSTOMER, "code": "code_1", "account_id": "a1"}],
)
def test_not_exactly_one_of_code_and_account_id_is_a_422_naming_both(
    api: ModuleType, body: dict[str, str]
) -> None:
    status, answer, _ = call(api, LINK, body)
    assert status == 422
    assert answer["error"]["code"] == "invalid_link"
    assert set(answer["error"]["fields"]) == {"code", "account_id"}


def test_another_providers_account_of_that_id_is_a_409(
    api: ModuleType, mono: Mono, stack: StackTemplate, aws: boto3.Session
) -> None:
    from banksync.bankdata.store import BankDataStore

    spec = account(4)
    mono.sandbox.link_account(spec)
    okra = ProviderAccount(spec.account_id, "c", "b", "Bank", "0123456789", "N", "NGN")
    bank = BankDataStore(stack.refs["DataTable"], aws.client("dynamodb"))
    bank.register_account(okra, "2026-01-01T00:00:00Z", "okra")
    status, answer, _ = call(api, LINK, {"customer": CUSTOMER, "account_id": spec.account_id})
    assert status == 409
    assert answer["error"]["code"] == "account_of_another_provider"
    stored = bank.account(spec.account_id)
    assert stored is not None
    assert stored["provider"] == "okra"


def test_mono_switched_off_is_a_404_naming_the_provider(
    stack: StackTemplate, aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, mono: Mono
) -> None:
    api = started(stack, aws, monkeypatch, mono, providers="okra")
    for path, body in [
        (LINK, {"customer": CUSTOMER, "account_id": "a1"}),
        (reauth_path("a1"), {"redirect_url": "https://shop.example/back"}),
    ]:
        status, answer, _ = call(api, path, body)
        assert status == 404
        assert answer["error"]["code"] == "provider_off"
        assert "mono" in answer["error"]["message"]
        assert set(answer["error"]["fields"]) == {"provider"}


def test_mono_unavailable_after_the_exchange_is_a_503_naming_the_account_to_retry_with(
    api: ModuleType, mono: Mono
) -> None:
    spec = account(5)
    code = mono.sandbox.link_account(spec)
    mono.sandbox.faults.fail_next(503, path_contains=f"/v2/accounts/{spec.account_id}")
    status, answer, _ = call(api, LINK, {"customer": CUSTOMER, "code": code})
    assert status == 503
    assert answer["error"]["code"] == "provider_unavailable"
    assert answer["error"]["fields"]["account_id"].startswith(spec.account_id)
    retried = {"customer": CUSTOMER, "account_id": spec.account_id}
    assert call(api, LINK, retried)[0] == 201


def test_monos_429_holds_its_budget_and_answers_retry_after(api: ModuleType, mono: Mono) -> None:
    spec = account(6)
    mono.sandbox.link_account(spec)
    mono.sandbox.faults.fail_next(429)
    body = {"customer": CUSTOMER, "account_id": spec.account_id}
    status, answer, headers = call(api, LINK, body)
    assert status == 429, answer
    assert int(headers["Retry-After"]) >= 1
    calls = len(mono.sandbox.calls)
    # Held: the next request is refused by banksync's own budget, Mono is not called.
    status, answer, headers = call(api, LINK, body)
    assert (status, answer["error"]["code"]) == (429, "rate_limited")
    assert int(headers["Retry-After"]) >= 1
    assert len(mono.sandbox.calls) == calls


def test_the_reauthorisation_link_is_the_one_mono_issues(api: ModuleType, mono: Mono) -> None:
    spec = account(7)
    code = mono.sandbox.link_account(spec)
    assert call(api, LINK, {"customer": CUSTOMER, "code": code})[0] == 201
    mono.sandbox.require_reauth(spec.account_id)
    body = {"redirect_url": "https://shop.example/back", "reference": "ref-7"}
    status, answer, _ = call(api, reauth_path(spec.account_id), body)
    assert status == 200, answer
    assert answer["account_id"] == spec.account_id
    assert answer["reference"] == "ref-7"
    assert answer["reauthorisation_url"].startswith("https://")
    assert mono.sandbox.complete_link(answer["reauthorisation_url"]) == spec.account_id


def test_a_reauthorisation_link_gets_a_fresh_reference_when_none_is_given(
    api: ModuleType, mono: Mono
) -> None:
    spec = account(8)
    mono.sandbox.link_account(spec)
    assert call(api, LINK, {"customer": CUSTOMER, "account_id": spec.account_id})[0] == 201
    path, body = reauth_path(spec.account_id), {"redirect_url": "https://shop.example/back"}
    first, second = call(api, path, body)[1], call(api, path, body)[1]
    assert first["reference"]
    assert first["reference"] != second["reference"]


def test_a_reauthorisation_link_for_an_account_not_stored_at_mono_is_a_404(
    api: ModuleType, mono: Mono, stack: StackTemplate, aws: boto3.Session
) -> None:
    from banksync.bankdata.store import BankDataStore

    okra = ProviderAccount("okra-acc-1", "c", "b", "Bank", "0123456789", "N", "NGN")
    bank = BankDataStore(stack.refs["DataTable"], aws.client("dynamodb"))
    bank.register_account(okra, "2026-01-01T00:00:00Z", "okra")
    body = {"redirect_url": "https://shop.example/back"}
    for account_id in ("okra-acc-1", "never-stored"):
        status, answer, _ = call(api, reauth_path(account_id), body)
        assert status == 404
        assert answer["error"]["code"] == "not_found"
        assert set(answer["error"]["fields"]) == {"account_id"}
    assert not mono.sandbox.calls
