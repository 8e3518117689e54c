"""POST /refreshes and GET /refreshes/{id}, through the handler, to the real state machine."""

import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest

from banksync.bankdata.store import BankDataStore
from banksync.dynamo import from_item
from devstack.sandbox import demo_world
from devstack.template import StackTemplate
from tests.support.lambdas import cold_start, invoke, json_body, load_event
from tests.support.records import record_schemas
from tests.support.workflow import RefreshHarness

ACCOUNT = "6740a2b3c4d5e6f7a8000c01"


@pytest.fixture
def api(
    stack: StackTemplate, refresh: RefreshHarness, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ModuleType]:
    refresh.use(demo_world(ready_after=45))
    module = cold_start(stack, "SyncApiFunction", monkeypatch)
    module.refresh_routes.refreshes.clock = refresh.now
    with refresh.dispatcher.installed():
        yield module


def post(api: ModuleType, body: Any, key: str | None = None) -> dict[str, Any]:
    event = load_event("refreshes_post_account.json")
    event["body"] = body if isinstance(body, str) else json.dumps(body)
    event["headers"].pop("idempotency-key")
    if key:
        event["headers"]["idempotency-key"] = key
    return invoke(api, event)


def get(api: ModuleType, refresh_id: str) -> dict[str, Any]:
    event = load_event("refreshes_get.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/refreshes/{refresh_id}"
    event["pathParameters"] = {"refresh_id": refresh_id}
    return invoke(api, event)


def executions(aws: boto3.Session, stack: StackTemplate) -> list[Any]:
    machine = stack.refs["RefreshStateMachine"]
    found: list[Any] = aws.client("stepfunctions").list_executions(stateMachineArn=machine)[
        "executions"
    ]
    return found


def test_an_account_refresh_ends_with_its_data_stored_exactly_once(
    api: ModuleType, refresh: RefreshHarness, aws: boto3.Session, stack: StackTemplate
) -> None:
    accepted = invoke(api, load_event("refreshes_post_account.json"))
    assert accepted["statusCode"] == 202
    body = json_body(accepted)
    assert body["status_url"].endswith(f"/refreshes/{body['refresh_id']}")
    assert accepted["headers"]["Location"] == body["status_url"]

    assert refresh.finish(body["refresh_id"]).status == "SUCCEEDED"
    status = json_body(get(api, body["refresh_id"]))
    assert status["status"] == "completed"
    assert {i["product"]: i["status"] for i in status["items"]} == {
        "balance": "succeeded",
        "transactions": "succeeded",
    }
    transactions = next(i for i in status["items"] if i["product"] == "transactions")
    assert transactions["new_transactions"] == 15
    store = BankDataStore(stack.refs["DataTable"], aws.client("dynamodb"))
    assert len(store.transactions(ACCOUNT)) == 15
    assert store.latest_balance(ACCOUNT) is not None


def test_a_customer_refresh_covers_the_bank_asked_for(
    api: ModuleType, refresh: RefreshHarness
) -> None:
    body = json_body(invoke(api, load_event("refreshes_post_customer.json")))
    refresh.finish(body["refresh_id"])
    items = json_body(get(api, body["refresh_id"]))["items"]
    assert {(i["account_id"], i["status"]) for i in items} == {(ACCOUNT, "succeeded")}


def test_the_same_idempotency_key_starts_one_execution(
    api: ModuleType, refresh: RefreshHarness, aws: boto3.Session, stack: StackTemplate
) -> None:
    first = post(api, {"account_id": ACCOUNT}, key="k-1")
    again = post(api, {"account_id": ACCOUNT}, key="k-1")
    assert (first["statusCode"], again["statusCode"]) == (202, 202)
    assert json_body(first)["refresh_id"] == json_body(again)["refresh_id"]
    refresh.finish(json_body(first)["refresh_id"])
    assert len(executions(aws, stack)) == 1

    reused = post(api, {"account_id": ACCOUNT, "products": ["balance"]}, key="k-1")
    assert reused["statusCode"] == 422
    assert "idempotency-key" in json_body(reused)["error"]["fields"]


def test_without_a_key_every_post_is_a_new_refresh(
    api: ModuleType, refresh: RefreshHarness
) -> None:
    ids = {json_body(post(api, {"account_id": ACCOUNT}))["refresh_id"] for _ in range(2)}
    assert len(ids) == 2
    for refresh_id in ids:
        refresh.finish(refresh_id)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{nope", "body"),
        ("[]", "body"),
        ({}, "body"),
        ({"account_id": ACCOUNT, "customer": "c"}, "body"),
        ({"account_id": ""}, "account_id"),
        ({"account_id": ACCOUNT, "products": ["identity"]}, "products.0"),
        ({"account_id": ACCOUNT, "products": []}, "products"),
        ({"account_id": ACCOUNT, "bank": "gtb"}, "body"),
        ({"account_id": ACCOUNT, "product": ["balance"]}, "product"),
    ],
)
def test_bad_requests_are_400_naming_the_field(api: ModuleType, body: Any, field: str) -> None:
    response = post(api, body)
    assert response["statusCode"] == 400
    error = json_body(response)["error"]
    assert field in error["fields"], error


def test_unknown_refresh_is_404(api: ModuleType) -> None:
    response = get(api, "rf_missing")
    assert response["statusCode"] == 404
    assert json_body(response)["error"]["fields"] == {"refresh_id": "unknown"}


def test_status_url_comes_from_api_gateway_not_from_the_host_header(
    api: ModuleType, refresh: RefreshHarness
) -> None:
    event = load_event("refreshes_post_account.json")
    event["headers"] |= {"host": "attacker.example", "x-forwarded-proto": "http"}
    body = json_body(invoke(api, event))
    assert body["status_url"].startswith("https://abcdef1234.execute-api.eu-west-1.amazonaws.com/")
    refresh.finish(body["refresh_id"])


def test_idempotency_keys_belong_to_their_caller(api: ModuleType, refresh: RefreshHarness) -> None:
    mine = load_event("refreshes_post_account.json")
    theirs = load_event("refreshes_post_account.json")
    theirs["requestContext"]["authorizer"]["iam"]["userArn"] = (
        "arn:aws:iam::123456789012:user/other"
    )
    first, second = json_body(invoke(api, mine)), json_body(invoke(api, theirs))
    assert first["refresh_id"] != second["refresh_id"]
    for body in (first, second):
        refresh.finish(body["refresh_id"])


def broken(*_: Any) -> None:
    raise RuntimeError("broken")


def test_a_failed_workflow_reports_unfinished_items_as_failed(
    api: ModuleType, refresh: RefreshHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(refresh.modules["CallbackPollerFunction"].workflow, "poll", broken)
    monkeypatch.setattr(refresh.modules["RefreshAborterFunction"].workflow, "abort", broken)
    body = json_body(post(api, {"account_id": ACCOUNT}))
    assert refresh.finish(body["refresh_id"]).status == "FAILED"

    status = json_body(get(api, body["refresh_id"]))
    assert status["status"] == "failed"
    assert status["error"] == "RuntimeError"
    assert {item["status"] for item in status["items"]} == {"failed"}


def test_a_run_that_failed_before_its_record_existed_can_be_read(
    api: ModuleType, refresh: RefreshHarness
) -> None:
    # Input given to the state machine directly, which the start refuses.
    execution = refresh.run({"refresh_id": "bad-input", "items": [{"product": "balance"}]})
    assert execution.status == "FAILED"

    answer = get(api, "bad-input")
    assert answer["statusCode"] == 200
    status = json_body(answer)
    assert (status["status"], status["items"]) == ("failed", [])
    assert status["error"].startswith("ValueError: each item needs an account_id")
    assert status["finished_at"]  # recorded by the aborter, not by the last resort


def test_a_run_only_the_last_resort_could_mark_failed_can_be_read(
    api: ModuleType, refresh: RefreshHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(refresh.modules["RefreshStarterFunction"].workflow, "start", broken)
    monkeypatch.setattr(refresh.modules["RefreshAborterFunction"].workflow, "abort", broken)
    execution = refresh.run({"refresh_id": "never-started", "items": []})
    assert execution.status == "FAILED"

    answer = get(api, "never-started")
    assert answer["statusCode"] == 200
    status = json_body(answer)
    assert (status["status"], status["error"], status["items"]) == ("failed", "RuntimeError", [])
    # Written by the state machine alone, it is still a whole run record, listed by time.
    client = refresh.aws.client("dynamodb")
    key = {"pk": {"S": "REFRESH#never-started"}, "sk": {"S": "RUN"}}
    record = from_item(client.get_item(TableName=refresh.stack.refs["DataTable"], Key=key)["Item"])
    (schema,) = [s for s in record_schemas() if s.entity == "refresh_run"]
    assert schema.problems(record) == []
    assert record["gsi2sk"].endswith("#never-started")
