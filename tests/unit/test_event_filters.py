"""The template's own stream FilterCriteria, applied by the offline stack to real-shaped records."""

import copy
import json
from typing import Any

import pytest

from devstack.event_sources import UnsupportedFilterError, matches
from devstack.template import StackTemplate
from tests.support.lambdas import load_event


def template_filters(function: str, event: str) -> list[Any]:
    resource = StackTemplate.load().body["Resources"][function]
    criteria = resource["Properties"]["Events"][event]["Properties"]["FilterCriteria"]
    return [json.loads(f["Pattern"]) for f in criteria["Filters"]]


def passes(filters: list[Any], record: dict[str, Any]) -> bool:
    return any(matches(f, record) for f in filters)


def test_auth_listener_sees_auth_success_only() -> None:
    filters = template_filters("AuthListenerFunction", "AuthWebhooks")
    (record,) = load_event("events_table_auth_success.json")["Records"]
    assert passes(filters, record)
    balance = copy.deepcopy(record)
    balance["dynamodb"]["NewImage"]["code"] = {"S": "BALANCE_SUCCESS"}
    assert not passes(filters, balance)
    modified = {**record, "eventName": "MODIFY"}
    assert not passes(filters, modified)


def test_notifier_sees_finished_items_of_subscriptions_only() -> None:
    filters = template_filters("NotifierFunction", "FinishedItems")
    (record,) = load_event("data_table_item_finished.json")["Records"]
    assert passes(filters, record)
    started = copy.deepcopy(record)
    started["dynamodb"]["NewImage"]["status"] = {"S": "started"}
    assert not passes(filters, started)
    unsubscribed = copy.deepcopy(record)
    del unsubscribed["dynamodb"]["NewImage"]["subscription_id"]
    assert not passes(filters, unsubscribed)
    balance_row = copy.deepcopy(record)
    balance_row["dynamodb"]["NewImage"]["sk"] = {"S": "BALANCE#LATEST"}
    assert not passes(filters, balance_row)


def test_unknown_operators_are_refused_by_name() -> None:
    with pytest.raises(UnsupportedFilterError, match="numeric"):
        matches({"n": [{"numeric": [">", 1]}]}, {"n": 2})


@pytest.mark.parametrize(
    ("code", "wanted"),
    [
        ("BALANCE_SUCCESS", True),
        ("PERIODIC_TRANSACTIONS", True),
        ("INITIAL_TRANSACTIONS", True),
        ("FULL_TRANSACTIONS", True),
        ("TRANSACTIONS_DELETED", True),
        ("AUTH_SUCCESS", False),
        ("IDENTITY_SUCCESS", False),
    ],
)
def test_push_listener_sees_data_webhooks_only(code: str, wanted: bool) -> None:
    filters = template_filters("PushListenerFunction", "DataWebhooks")
    (record,) = load_event("events_table_auth_success.json")["Records"]
    record = copy.deepcopy(record)
    record["dynamodb"]["NewImage"]["code"] = {"S": code}
    assert passes(filters, record) is wanted
    assert not passes(filters, {**record, "eventName": "MODIFY"})


def test_notifier_sees_stored_pushed_updates() -> None:
    filters = template_filters("NotifierFunction", "FinishedItems")
    record: dict[str, Any] = {
        "eventName": "MODIFY",
        "dynamodb": {
            "NewImage": {
                "pk": {"S": "PUSH#rec1"},
                "sk": {"S": "balance"},
                "kind": {"S": "pushed_update"},
                "status": {"S": "succeeded"},
            }
        },
    }
    assert passes(filters, record)
    record["dynamodb"]["NewImage"]["status"] = {"S": "queued"}
    assert not passes(filters, record)
