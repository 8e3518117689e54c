"""The offline stack end to end, driven only through HTTP and the embedded AWS endpoint."""

from typing import Any

import httpx

from tests.e2e.conftest import wait_for

DEMO_CUSTOMER = "6740a0e1b2c3d4e5f6000a01"
DEMO_ACCOUNT = "6740a2b3c4d5e6f7a8000c01"


def query(dynamodb: Any, table: str, pk: str, prefix: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={":pk": {"S": pk}, ":prefix": {"S": prefix}},
    )["Items"]
    return found


def test_the_demo_flow_ends_with_signed_webhooks_delivered(
    offline_stack: dict[str, Any], dynamodb: Any
) -> None:
    tables = offline_stack["tables"]
    events = dynamodb.scan(TableName=tables["EventsTable"])["Items"]
    assert any(e.get("code", {}).get("S") == "AUTH_SUCCESS" for e in events)

    with httpx.Client(base_url=offline_stack["api_url"]) as api:
        listed = api.get("/subscriptions", params={"customer": DEMO_CUSTOMER}).json()["items"]
    (subscription,) = [s for s in listed if s["interval"] == "one_minute"]
    sid = subscription["subscription_id"]

    def delivered() -> list[dict[str, Any]]:
        deliveries = query(dynamodb, tables["DataTable"], f"SUBSCRIPTION#{sid}", "DELIVERY#")
        done = [d for d in deliveries if d["status"]["S"] == "delivered"]
        return done if len(done) >= 4 else []

    # The one-minute schedule fires after a minute; then Waits, polls and deliveries.
    deliveries = wait_for(delivered, timeout=240, every=2)
    assert {d["event_type"]["S"] for d in deliveries} >= {
        "balance.succeeded",
        "transactions.succeeded",
    }
    balance = query(dynamodb, tables["DataTable"], f"ACCOUNT#{DEMO_ACCOUNT}", "BALANCE#LATEST")
    assert balance
    transactions = query(dynamodb, tables["DataTable"], f"ACCOUNT#{DEMO_ACCOUNT}", "TXN#")
    assert len(transactions) >= 15


def test_webhooks_are_authenticated_and_stored_once(offline_stack: dict[str, Any]) -> None:
    body = {
        "callback_type": "BALANCE",
        "callback_code": "BALANCE_SUCCESS",
        "record": "e2e-1",
        "customerId": DEMO_CUSTOMER,
    }
    token = {"Authorization": f"Bearer {offline_stack['webhook_token']}"}
    with httpx.Client(base_url=offline_stack["api_url"]) as api:
        first = api.post("/webhooks/okra", json=body, headers=token)
        again = api.post("/webhooks/okra", json=body, headers=token)
        forged = api.post("/webhooks/okra", json=body, headers={"Authorization": "Bearer nope"})
        scalar = api.post(
            "/webhooks/okra", content=b"42", headers={**token, "content-type": "application/json"}
        )
    assert (first.status_code, first.json()["status"]) == (200, "stored")
    assert again.json() == {"status": "duplicate", "event_id": first.json()["event_id"]}
    assert forged.status_code == 401
    assert scalar.status_code == 400


def test_an_on_demand_refresh_completes_through_the_real_workflow(
    offline_stack: dict[str, Any],
) -> None:
    with httpx.Client(base_url=offline_stack["api_url"]) as api:
        accepted = api.post(
            "/refreshes", json={"account_id": DEMO_ACCOUNT, "products": ["balance"]}
        )
        assert accepted.status_code == 202
        refresh_id = accepted.json()["refresh_id"]

        def completed() -> dict[str, Any] | None:
            status = api.get(f"/refreshes/{refresh_id}").json()
            return status if status.get("status") == "completed" else None

        status = wait_for(completed, timeout=120)
    assert [i["status"] for i in status["items"]] == ["succeeded"]
    assert status["items"][0]["balance"]["currency"] == "NGN"


def test_subscriptions_can_be_managed_over_http(offline_stack: dict[str, Any]) -> None:
    with httpx.Client(base_url=offline_stack["api_url"]) as api:
        created = api.post(
            "/subscriptions",
            json={
                "customer": "e2e-customer",
                "products": ["transactions"],
                "interval": "daily",
            },
        )
        assert created.status_code == 201
        sid = created.json()["subscription_id"]
        assert api.post(f"/subscriptions/{sid}/pause").json()["state"] == "paused"
        assert api.post(f"/subscriptions/{sid}/resume").json()["state"] == "active"
        bad = api.post(
            "/subscriptions", json={"customer": "x", "products": [], "interval": "weekly"}
        )
        assert set(bad.json()["error"]["fields"]) == {"products", "interval"}
        assert api.delete(f"/subscriptions/{sid}").status_code == 204
        assert api.get(f"/subscriptions/{sid}").status_code == 404
    # The secret comes once, at creation, even before a webhook_url is set by a replace.
    assert created.json()["signing_secret"].startswith("whsec_")


def test_the_providers_own_refresh_arrives_as_a_webhook_and_is_stored(
    offline_stack: dict[str, Any], dynamodb: Any
) -> None:
    table = offline_stack["tables"]["DataTable"]

    def pushed() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = dynamodb.scan(
            TableName=table,
            FilterExpression="begins_with(pk, :push) AND #status = :done",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":push": {"S": "PUSH#"}, ":done": {"S": "succeeded"}},
        )["Items"]
        return found if {u["sk"]["S"] for u in found} >= {"balance", "transactions"} else []

    updates = wait_for(pushed, timeout=120, every=2)
    assert {u["account_id"]["S"] for u in updates} >= {DEMO_ACCOUNT}
    (profile,) = query(dynamodb, table, f"ACCOUNT#{DEMO_ACCOUNT}", "PROFILE")
    assert profile["balance_synced_at"]["S"]
    assert profile["transactions_synced_at"]["S"]


def test_a_scheduled_refresh_is_woken_by_the_providers_webhook(
    offline_stack: dict[str, Any], dynamodb: Any
) -> None:
    from datetime import datetime

    table = offline_stack["tables"]["DataTable"]

    def woken_items() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = dynamodb.scan(
            TableName=table,
            FilterExpression="begins_with(sk, :item) AND attribute_exists(pushed_at) "
            "AND #status = :done",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":item": {"S": "ITEM#"}, ":done": {"S": "succeeded"}},
        )["Items"]
        return found

    items = wait_for(woken_items, timeout=240, every=2)

    def seconds(item: dict[str, Any], name: str) -> float:
        return datetime.fromisoformat(item[name]["S"]).timestamp()

    # Ready 3 s after the refresh (the stack runs with --ready-after 3): stored within
    # seconds of it, not at the next poll.
    assert min(seconds(i, "finished_at") - seconds(i, "started_at") for i in items) < 8
