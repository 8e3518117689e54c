"""POST /webhooks/okra end to end: events as API Gateway sends them, tables from the template."""

import base64
import json
import logging
import threading
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import boto3
import pytest

from banksync.observability import logger
from tests.support.lambdas import WEBHOOK_TOKEN, invoke, json_body, load_event

GOOD_EVENTS = [
    "webhook_auth_success.json",
    "webhook_balance_success.json",
    "webhook_periodic_transactions.json",
]


def with_body(
    event: dict[str, Any], body: str | bytes, content_type: str = "application/json"
) -> dict[str, Any]:
    event = json.loads(json.dumps(event))  # a deep copy
    raw = body.encode() if isinstance(body, str) else body
    event["body"] = base64.b64encode(raw).decode()
    event["isBase64Encoded"] = True
    event["headers"]["content-type"] = content_type
    return event


def payload_of(event: dict[str, Any]) -> str:
    body: str = event["body"]
    return base64.b64decode(body).decode() if event["isBase64Encoded"] else body


@pytest.mark.parametrize("name", GOOD_EVENTS)
def test_each_fixture_is_stored_exactly_once(
    receiver: ModuleType, stored_events: Any, name: str
) -> None:
    event = load_event(name)
    first = invoke(receiver, event)
    again = invoke(receiver, event)

    assert first["statusCode"] == 200
    assert json_body(first)["status"] == "stored"
    assert json_body(again) == {"status": "duplicate", "event_id": json_body(first)["event_id"]}
    (item,) = stored_events()
    assert item["event_id"]["S"] == json_body(first)["event_id"]
    assert item["payload"]["S"] == payload_of(event)
    assert json.loads(item["payload"]["S"]) == json.loads(payload_of(event))


def test_stored_item_carries_normalised_fields_and_expiry(
    receiver: ModuleType, stored_events: Any
) -> None:
    invoke(receiver, load_event("webhook_balance_success.json"))
    (item,) = stored_events()
    assert item["event_type"] == {"S": "BALANCE"}
    assert item["code"] == {"S": "BALANCE_SUCCESS"}
    assert item["record_id"] == {"S": "6740a1f2c3d4e5f600000002"}
    assert item["customer_id"] == {"S": "6740a0e1b2c3d4e5f6000a01"}
    assert item["bank_id"] == {"S": "5d6fe57a4099cc4b210bbec0"}
    assert item["account_id"] == {"S": "6740a2b3c4d5e6f7a8000c01"}
    received = datetime.fromisoformat(item["received_at"]["S"])
    assert item["received_at"]["S"].endswith("Z")
    assert int(item["expires_at"]["N"]) == int((received + timedelta(days=90)).timestamp())


def test_another_event_about_the_same_record_is_also_stored(
    receiver: ModuleType, stored_events: Any
) -> None:
    event = load_event("webhook_auth_success.json")
    payload = json.loads(event["body"])
    invoke(receiver, event)
    payload["callback_code"] = payload["code"] = "AUTH_FAILED"
    second = invoke(receiver, with_body(event, json.dumps(payload)))
    assert json_body(second)["status"] == "stored"
    assert len(stored_events()) == 2


def test_a_retry_with_other_whitespace_is_still_a_duplicate(
    receiver: ModuleType, stored_events: Any
) -> None:
    event = load_event("webhook_auth_success.json")
    invoke(receiver, event)
    reformatted = json.dumps(json.loads(event["body"]), indent=2)
    assert json_body(invoke(receiver, with_body(event, reformatted)))["status"] == "duplicate"
    assert len(stored_events()) == 1


@pytest.mark.usefixtures("atomic_dynamodb_writes")
def test_concurrent_deliveries_store_one_item(receiver: ModuleType, stored_events: Any) -> None:
    event = load_event("webhook_periodic_transactions.json")
    start = threading.Barrier(3)
    answers: list[dict[str, Any]] = []

    def deliver() -> None:
        start.wait()
        answers.append(json_body(invoke(receiver, event)))

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(answer["status"] for answer in answers) == ["duplicate", "duplicate", "stored"]
    assert len(stored_events()) == 1


def test_bad_token_fixture_is_401_and_stores_nothing(
    receiver: ModuleType, stored_events: Any
) -> None:
    response = invoke(receiver, load_event("webhook_bad_token.json"))
    assert response["statusCode"] == 401
    assert json_body(response)["error"]["fields"] == {"authorization": "token does not match"}
    assert stored_events() == []


def test_missing_token_is_401(receiver: ModuleType, stored_events: Any) -> None:
    event = load_event("webhook_auth_success.json")
    del event["headers"]["authorization"]
    assert invoke(receiver, event)["statusCode"] == 401
    assert stored_events() == []


def test_unreadable_secret_is_503_never_open(
    aws: boto3.Session, receiver: ModuleType, stored_events: Any
) -> None:
    secret = receiver.receiver._verifiers["okra"]._secret_name
    aws.client("secretsmanager").delete_secret(SecretId=secret, ForceDeleteWithoutRecovery=True)
    response = invoke(receiver, load_event("webhook_auth_success.json"))
    assert response["statusCode"] == 503
    assert json_body(response)["error"]["code"] == "auth_unavailable"
    assert stored_events() == []


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("", "application/json", 400, "empty_body"),
        ("{oops", "application/json", 400, "invalid_json"),
        ("[1, 2, 3]", "application/json", 400, "not_an_object"),
        ("7", "application/json", 400, "not_an_object"),
        ('{"a": 1}', "text/plain", 400, "unsupported_content_type"),
        ('{"p": "' + "x" * (256 * 1024) + '"}', "application/json", 413, "payload_too_large"),
    ],
)
def test_bad_input_is_rejected_and_not_stored(
    receiver: ModuleType, stored_events: Any, body: str, content_type: str, status: int, code: str
) -> None:
    event = with_body(load_event("webhook_auth_success.json"), body, content_type)
    response = invoke(receiver, event)
    assert response["statusCode"] == status
    error = json_body(response)["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["fields"]
    assert stored_events() == []


def test_store_failure_is_503_and_nothing_is_half_written(
    aws: boto3.Session, receiver: ModuleType, events_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = receiver.receiver._inbox._client

    def throttle(**_: Any) -> None:
        raise client.exceptions.ProvisionedThroughputExceededException(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
            "PutItem",
        )

    client.meta.events.register("before-call.dynamodb.PutItem", throttle)
    try:
        response = invoke(receiver, load_event("webhook_auth_success.json"))
    finally:
        client.meta.events.unregister("before-call.dynamodb.PutItem", throttle)

    assert response["statusCode"] == 503
    assert json_body(response)["error"]["code"] == "store_unavailable"
    assert aws.client("dynamodb").scan(TableName=events_table)["Items"] == []
    # The provider's retry then lands.
    assert (
        json_body(invoke(receiver, load_event("webhook_auth_success.json")))["status"] == "stored"
    )


def test_missing_table_is_503(aws: boto3.Session, receiver: ModuleType, events_table: str) -> None:
    aws.client("dynamodb").delete_table(TableName=events_table)
    response = invoke(receiver, load_event("webhook_auth_success.json"))
    assert response["statusCode"] == 503


def test_unknown_route_is_404_in_the_error_shape(receiver: ModuleType) -> None:
    event = load_event("webhook_auth_success.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/webhooks/other"
    response = invoke(receiver, event)
    assert response["statusCode"] == 404
    assert json_body(response)["error"]["code"] == "not_found"


def test_logs_and_metrics_name_outcomes_without_secrets_or_bank_data(
    receiver: ModuleType, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=logger.name)
    invoke(receiver, load_event("webhook_balance_success.json"))
    invoke(receiver, load_event("webhook_balance_success.json"))
    invoke(receiver, load_event("webhook_bad_token.json"))
    # Log lines exactly as the Logger's JSON formatter writes them; metrics (EMF) on stdout.
    formatter = logger.registered_formatter
    ours = [record for record in caplog.records if record.name == logger.name]
    logs = "\n".join(formatter.format(record) for record in ours)
    output = logs + "\n" + capsys.readouterr().out
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]

    metric_names = {
        metric["Name"]
        for record in records
        for directive in record.get("_aws", {}).get("CloudWatchMetrics", [])
        for metric in directive["Metrics"]
    }
    assert {"WebhookReceived", "WebhookDuplicate", "WebhookRejected"} <= metric_names
    assert any(record.get("reason") == "unauthorized" and "_aws" in record for record in records)
    messages = [str(record.get("message")) for record in records]
    assert {"webhook stored", "webhook duplicate", "webhook rejected"} <= set(messages)
    assert WEBHOOK_TOKEN not in output
    assert "250431.75" not in output
