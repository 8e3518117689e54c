import json

import pytest

from banksync.okra.webhooks import event_key, normalise
from banksync.provider.announcements import IndexedWebhook as NormalisedWebhook
from tests.support.lambdas import load_event


def fixture_payload(name: str) -> dict[str, object]:
    event = load_event(name)
    assert not event["isBase64Encoded"]
    payload: dict[str, object] = json.loads(event["body"])
    return payload


def test_auth_success_webhook_is_normalised() -> None:
    fields = normalise(fixture_payload("webhook_auth_success.json"))
    assert fields == NormalisedWebhook(
        event_type="AUTH",
        code="AUTH_SUCCESS",
        record_id="6740a1f2c3d4e5f600000001",
        customer_id="6740a0e1b2c3d4e5f6000a01",
        bank_id="5d6fe57a4099cc4b210bbec0",
        account_id=None,
        env="production-sandbox",
        status="is_success",
        ended_at="2026-11-21T09:14:06.871Z",
    )


def test_account_comes_from_the_product_object() -> None:
    payload = fixture_payload("webhook_periodic_transactions.json")
    assert normalise(payload).account_id == "6740a2b3c4d5e6f7a8000c01"
    assert normalise({"balance": {"account": "acc-1"}}).account_id == "acc-1"
    assert normalise({"account": {"_id": "acc-2", "nuban": "1"}}).account_id == "acc-2"
    assert normalise({"accountId": "acc-3"}).account_id == "acc-3"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"callback_type": "BALANCE", "type": "CALLBACK", "method": "X"}, "BALANCE"),
        ({"type": "CALLBACK", "method": "AUTH"}, "CALLBACK"),
        ({"method": "AUTH"}, "AUTH"),
        ({"callback_type": "  ", "method": "AUTH"}, "AUTH"),
    ],
)
def test_event_type_takes_the_first_spelling_present(
    payload: dict[str, str], expected: str
) -> None:
    assert normalise(payload).event_type == expected


def test_alternative_spellings_and_object_ids() -> None:
    fields = normalise(
        {"code": "BALANCE_SUCCESS", "recordId": "r-1", "customer": {"_id": "c-1"}, "status": True}
    )
    assert (fields.code, fields.record_id, fields.customer_id) == ("BALANCE_SUCCESS", "r-1", "c-1")
    assert fields.status == "true"


def test_unknown_fields_are_tolerated_and_absent_fields_omitted() -> None:
    fields = normalise({"brand_new_field": {"nested": [1, 2]}, "code": "X"})
    assert fields.present_fields() == {"code": "X"}


def test_event_key_ignores_key_order_and_whitespace() -> None:
    first = json.loads('{"record": "r", "code": "AUTH_SUCCESS", "n": [1, 2]}')
    second = json.loads('{ "n":[1,2],"code":"AUTH_SUCCESS","record":"r" }')
    assert event_key(first) == event_key(second)
    assert len(event_key(first)) == 64


def test_two_events_about_one_record_have_different_keys() -> None:
    auth = {"record": "r", "callback_code": "AUTH_SUCCESS"}
    balance = {"record": "r", "callback_code": "BALANCE_SUCCESS"}
    assert event_key(auth) != event_key(balance)
