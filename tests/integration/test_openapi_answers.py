"""The API's real answers fit the OpenAPI document: its schemas and the statuses it names."""

from types import ModuleType
from typing import Any

import boto3
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from banksync.api import openapi
from banksync.bankdata.store import BankDataStore
from banksync.provider.model import ProviderAccount
from devstack.template import StackTemplate
from tests.support.lambdas import cold_start, http_event, invoke, json_body
from tests.unit.test_subscription_rules import resolve

CUSTOMER = "cust-1"
AS_OF = "2026-11-21T10:00:00.000Z"
DOCUMENT = openapi.document()
REGISTRY = Registry().with_resource("urn:banksync", DRAFT202012.create_resource(DOCUMENT))


def check(method: str, route: str, response: dict[str, Any]) -> Any:
    """The answer's status is one the operation names, and its body fits that status's schema."""
    operation = DOCUMENT["paths"][route][method.lower()]
    status = str(response["statusCode"])
    assert status in operation["responses"], f"{method} {route} answered {status}"
    content = operation["responses"][status]["content"]
    if not content:
        assert not response.get("body")
        return None
    body = json_body(response)
    schema = {"$ref": "urn:banksync#" + _pointer(content["application/json"]["schema"])}
    errors = list(Draft202012Validator(schema, registry=REGISTRY).iter_errors(body))
    assert not errors, f"{method} {route} {status}: {[e.message for e in errors]}"
    return body


def _pointer(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).removeprefix("#")
    raise AssertionError(f"inline schema {schema}")


@pytest.fixture
def read_api(stack: StackTemplate, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return cold_start(stack, "ReadApiFunction", monkeypatch)


@pytest.fixture
def bank(aws: boto3.Session, stack: StackTemplate) -> BankDataStore:
    store = BankDataStore(stack.refs["DataTable"], aws.client("dynamodb"))
    account = ProviderAccount("acct-0", CUSTOMER, "bank-a", "Bank", "0123456780", "Savings", "NGN")
    store.register_account(account, AS_OF)
    store.save_balance(
        "acct-0",
        {"ledger_balance": 1500.5, "available_balance": "1,000.00", "currency": "NGN"},
        AS_OF,
        AS_OF,
    )
    store.freshness.mark_synced("acct-0", "balance", AS_OF)
    rows = [
        {
            "_id": f"t-{day}",
            "trans_date": f"2026-11-0{day}T09:00:00Z",
            "cleared_date": f"2026-11-0{day}T12:00:00Z" if day < 3 else None,
            "debit" if day % 2 else "credit": f"{day},000.25",
            "currency": "NGN",
            "notes": {"desc": f"transfer {day}"},
        }
        for day in (1, 2, 3)
    ]
    store.save_transactions("acct-0", rows, AS_OF)
    store.removals.remove("acct-0", ["t-1"], AS_OF, "rec")
    return store


def call(api: ModuleType, method: str, path: str, route: str, **query: str) -> Any:
    event = http_event(method, path, query=query or None, route=f"{method} {route}")
    return check(method, route, invoke(api, event))


def test_the_read_apis_answers_fit_their_schemas(read_api: ModuleType, bank: BankDataStore) -> None:
    page = call(
        read_api, "GET", f"/customers/{CUSTOMER}/accounts", "/customers/{customer}/accounts"
    )
    assert page["items"]
    view = call(read_api, "GET", "/accounts/acct-0", "/accounts/{account_id}")
    assert view["balance"]["ledger"] == 150050
    call(read_api, "GET", "/accounts/acct-0/balances", "/accounts/{account_id}/balances")
    listed = call(
        read_api, "GET", "/accounts/acct-0/transactions", "/accounts/{account_id}/transactions"
    )
    assert {t["status"] for t in listed["items"]} == {"posted", "pending"}
    sync = "/accounts/{account_id}/transactions/sync"
    feed = call(read_api, "GET", "/accounts/acct-0/transactions/sync", sync, count="2")
    assert feed["has_more"] is True
    rest = call(
        read_api, "GET", "/accounts/acct-0/transactions/sync", sync, cursor=feed["next_cursor"]
    )
    assert rest["removed"], "the removal is in the feed"
    customer = "/customers/{customer}/transactions/sync"
    call(read_api, "GET", f"/customers/{CUSTOMER}/transactions/sync", customer)


@pytest.mark.parametrize(
    ("path", "route", "query"),
    [
        ("/accounts/nope", "/accounts/{account_id}", {}),
        ("/accounts/acct-0/transactions", "/accounts/{account_id}/transactions", {"limit": "0"}),
        ("/accounts/acct-0/transactions", "/accounts/{account_id}/transactions", {"x": "1"}),
        ("/accounts/acct-0/balances", "/accounts/{account_id}/balances", {"next_token": "e30"}),
        (
            "/accounts/acct-0/transactions/sync",
            "/accounts/{account_id}/transactions/sync",
            {"cursor": "not-a-cursor"},
        ),
        (
            "/customers/cust-1/transactions/sync",
            "/customers/{customer}/transactions/sync",
            {"count": "501"},
        ),
    ],
)
def test_the_read_apis_refusals_are_statuses_it_names_in_the_error_shape(
    read_api: ModuleType, bank: BankDataStore, path: str, route: str, query: dict[str, str]
) -> None:
    body = call(read_api, "GET", path, route, **query)
    assert set(body["error"]) >= {"code", "message"}


def test_the_operator_apis_answers_fit_their_schemas(
    stack: StackTemplate, monkeypatch: pytest.MonkeyPatch, bank: BankDataStore
) -> None:
    api = cold_start(stack, "SyncApiFunction", monkeypatch)

    def send(method: str, path: str, route: str, body: Any = None, **query: str) -> Any:
        event = http_event(method, path, body, query or None, f"{method} {route}")
        return check(method, route, invoke(api, event))

    started = send("POST", "/refreshes", "/refreshes", {"account_id": "acct-0"})
    refresh = send("GET", f"/refreshes/{started['refresh_id']}", "/refreshes/{refresh_id}")
    assert refresh["status"] == "running"
    send("GET", "/refreshes", "/refreshes", limit="5")
    send("GET", "/refreshes/rf_unknown", "/refreshes/{refresh_id}")
    send("POST", "/refreshes", "/refreshes", {"account_id": "acct-0", "customer": "c"})
    send("POST", "/refreshes", "/refreshes", "[1]")
    sweep = send("POST", "/sweeps", "/sweeps", {"stale_after_hours": 0})
    send("GET", f"/sweeps/{sweep['sweep_id']}", "/sweeps/{sweep_id}")
    send("POST", "/sweeps", "/sweeps", {"stale_after_hours": None})
    send("GET", "/sweeps/sw_unknown", "/sweeps/{sweep_id}")


def test_the_subscription_and_delivery_answers_fit_their_schemas(
    stack: StackTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("banksync.subscriptions.webhook_urls.resolve_host", resolve)
    api = cold_start(stack, "SyncApiFunction", monkeypatch)

    def send(method: str, path: str, route: str, body: Any = None, **query: str) -> Any:
        event = http_event(method, path, body, query or None, f"{method} {route}")
        return check(method, route, invoke(api, event))

    one = "/subscriptions/{subscription_id}"
    body = {
        "customer": CUSTOMER,
        "products": ["balance"],
        "interval": "one_hour",
        "webhook_url": "https://hooks.example.com/okra",
    }
    created = send("POST", "/subscriptions", "/subscriptions", body)
    assert created["signing_secret"]
    sid = created["subscription_id"]
    send("POST", "/subscriptions", "/subscriptions", {**body, "interval": "daily"})
    send("POST", "/subscriptions", "/subscriptions", {**body, "interval": "weekly"})
    send("GET", "/subscriptions", "/subscriptions", customer=CUSTOMER)
    send("GET", f"/subscriptions/{sid}", one)
    send("GET", "/subscriptions/sub_unknown", one)
    send("POST", f"/subscriptions/{sid}/pause", f"{one}/pause")
    send("POST", f"/subscriptions/{sid}/resume", f"{one}/resume")
    rotated = send("POST", f"/subscriptions/{sid}/rotate-secret", f"{one}/rotate-secret")
    assert rotated["signing_secret"] != created["signing_secret"]
    send(
        "POST",
        f"/subscriptions/{sid}/rotate-secret",
        f"{one}/rotate-secret",
        {"overlap_hours": -1},
    )
    send("GET", f"/subscriptions/{sid}/deliveries", f"{one}/deliveries", status="abandoned")
    recovered = send("POST", f"/subscriptions/{sid}/recover", f"{one}/recover", {"since": AS_OF})
    assert recovered["queued"] == 0
    send("POST", f"/subscriptions/{sid}/recover", f"{one}/recover", {"until": AS_OF})
    send("GET", "/deliveries/msg_unknown", "/deliveries/{delivery_id}")
    send("POST", "/deliveries/msg_unknown/retry", "/deliveries/{delivery_id}/retry")
    send("DELETE", f"/subscriptions/{sid}", one)
    send("DELETE", f"/subscriptions/{sid}", one)
