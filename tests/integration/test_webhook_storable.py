"""A webhook is stored or refused with a 4xx: never a 5xx the provider retries for hours."""

import json
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banksync.inbound.indexable import MAX_INDEXED_BYTES
from tests.integration.test_webhook_receiver import payload_of, with_body
from tests.support.lambdas import invoke, json_body, load_event

FIELDS = ("customerId", "record", "bankId", "callback_code", "status", "ended_at")


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    field=st.sampled_from(FIELDS),
    length=st.one_of(st.integers(1, 600), st.integers(2_000, 60_000)),  # 4 bytes a char
    char=st.sampled_from(["x", "é", "\U0001f600"]),
)
def test_a_field_too_long_to_index_is_kept_in_the_payload_only(
    receiver: ModuleType,
    aws: boto3.Session,
    events_table: str,
    field: str,
    length: int,
    char: str,
) -> None:
    payload = json.loads(payload_of(load_event("webhook_balance_success.json")))
    payload[field] = char * length
    body = json.dumps(payload, ensure_ascii=False)
    answer = invoke(receiver, with_body(load_event("webhook_balance_success.json"), body))

    assert answer["statusCode"] == 200, answer
    event_id = json_body(answer)["event_id"]
    item = aws.client("dynamodb").get_item(
        TableName=events_table, Key={"event_id": {"S": event_id}}
    )["Item"]
    assert json.loads(item["payload"]["S"])[field] == char * length
    indexed = {name: value["S"] for name, value in item.items() if "S" in value}
    for name, value in indexed.items():
        if name != "payload":
            assert len(value.encode()) <= MAX_INDEXED_BYTES, name
    if len((char * length).encode()) > MAX_INDEXED_BYTES:
        assert indexed.get("unindexed"), indexed.keys()


def test_an_item_dynamodb_refuses_is_a_4xx_that_says_why(
    receiver: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = receiver.receiver._inbox

    def refuse(**request: Any) -> Any:
        raise ClientError(
            {"Error": {"Code": "ValidationException", "Message": "Item size has exceeded"}},
            "PutItem",
        )

    monkeypatch.setattr(inbox._client, "put_item", refuse)
    answer = invoke(receiver, load_event("webhook_balance_success.json"))
    assert answer["statusCode"] == 422
    assert json_body(answer)["error"]["code"] == "unstorable_webhook"
