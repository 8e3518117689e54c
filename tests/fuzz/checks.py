"""What every answer must be, whichever way the request came in."""

import json
from typing import Any

from tests.fuzz.cases import UNKNOWN, Case
from tests.fuzz.harness import Answer, FuzzStack

# What a valid request may be answered with, route by route (a 4xx here is about
# the state of things: an unknown id, a conflict, a key reused, a sweep running).
VALID_ANSWERS = {
    "POST /webhooks/okra": {200},
    "POST /webhooks/mono": {200},
    "POST /refreshes": {202, 422},
    "GET /refreshes": {200},
    "GET /refreshes/{refresh_id}": {200, 404},
    "POST /subscriptions": {200, 201, 409},
    "GET /subscriptions": {200},
    "GET /subscriptions/{subscription_id}": {200, 404},
    "DELETE /subscriptions/{subscription_id}": {204, 404},
    "POST /subscriptions/{subscription_id}/pause": {200, 404},
    "POST /subscriptions/{subscription_id}/resume": {200, 404},
    "POST /sweeps": {202, 409},
    "GET /sweeps/{sweep_id}": {200, 404},
    "GET /subscriptions/{subscription_id}/deliveries": {200, 404},
    "POST /subscriptions/{subscription_id}/recover": {202, 404, 409, 429},
    "POST /subscriptions/{subscription_id}/rotate-secret": {200, 404},
    "GET /deliveries/{delivery_id}": {200, 404},
    "POST /deliveries/{delivery_id}/retry": {202, 404, 409, 429},
    "POST /providers/mono/accounts": {201, 404, 409, 422},
    "POST /providers/mono/accounts/{account_id}/reauthorisation": {200, 404},
    "GET /customers/{customer}/accounts": {200},
    "GET /accounts/{account_id}": {200, 404},
    "GET /accounts/{account_id}/balances": {200, 404},
    "GET /accounts/{account_id}/transactions": {200, 404},
    "GET /accounts/{account_id}/transactions/sync": {200, 404},
    "GET /customers/{customer}/transactions/sync": {200},
}


def check(fuzz: FuzzStack, case: Case, answer: Answer, before: dict[str, Any]) -> None:
    """No 5xx; a 4xx names its problem and stores nothing; the answer fits the case."""
    assert answer.status < 500, (case, answer)
    if answer.status >= 400:
        error = answer.error
        assert isinstance(error["code"], str), answer
        assert error["code"], answer
        assert error["message"], answer
        assert error["fields"], answer
        assert fuzz.snapshot() == before, f"a {answer.status} stored something: {case}"
    if case.expect is None:
        assert answer.status in VALID_ANSWERS[case.key], (case, answer)
    elif case.expect != UNKNOWN:
        assert answer.status in (400, 401), (case, answer)
        assert names(answer, case.expect), (case.expect, answer.error)
        if case.expect in ("authorization", "mono-webhook-secret"):
            assert answer.status == 401


def names(answer: Answer, field: str) -> bool:
    """The error names ``field`` (or an item of it: ``products.0`` for ``products``)."""
    return any(name == field or name.startswith(f"{field}.") for name in answer.error["fields"])


def check_stored_once(fuzz: FuzzStack, case: Case, answer: Answer, resend: Any) -> None:
    """A valid request's effect is there, once: sent again, nothing is stored twice."""
    if case.key.startswith("POST /webhooks/") and answer.status == 200:
        again = resend()
        assert again.body == {"status": "duplicate", "event_id": answer.body["event_id"]}
        stored = [
            item for item in fuzz.event_items() if item["event_id"]["S"] == answer.body["event_id"]
        ]
        assert len(stored) == 1
        assert case.body is not None
        if answer.body["status"] == "stored":
            assert stored[0]["payload"]["S"] == case.body.decode()
        else:  # an earlier example sent it, perhaps spaced otherwise
            assert json.loads(stored[0]["payload"]["S"]) == json.loads(case.body)
    elif case.key == "POST /subscriptions" and answer.status in (200, 201):
        sid = answer.body["subscription_id"]
        before = fuzz.snapshot()
        again = resend()
        assert (again.status, again.body["subscription_id"]) == (200, sid)
        assert again.body["version"] == answer.body["version"] + 1
        after = fuzz.snapshot()
        assert len(after["DataTable"]) == len(before["DataTable"]), "a second item"
        assert after["schedules"] == before["schedules"]
        body = json.loads(case.body or b"{}")
        assert again.body["customer"] == body["customer"]
        assert again.body["products"] == list(dict.fromkeys(body["products"]))
    elif case.key == "POST /refreshes" and answer.status == 202:
        before = fuzz.snapshot()
        again = resend()
        if case.headers.get("idempotency-key"):
            assert again.status == 202
            assert again.body["refresh_id"] == answer.body["refresh_id"]
            assert fuzz.snapshot()["executions"] == before["executions"]
        else:
            assert again.body["refresh_id"] != answer.body["refresh_id"]
            assert len(fuzz.snapshot()["executions"]) == len(before["executions"]) + 1
    elif case.key == "POST /sweeps" and answer.status == 409:
        assert answer.error["fields"]["sweep_id"]
