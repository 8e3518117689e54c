"""The demo's two providers side by side: a Mono customer synced beside the Okra one,
its runs woken by Mono's own webhook, its records naming Mono."""

from typing import Any

import httpx

from tests.e2e.conftest import wait_for
from tests.e2e.test_offline_stack import DEMO_ACCOUNT, DEMO_CUSTOMER, query

# Mono's demo customer and the two accounts it has linked at two banks.
MONO_CUSTOMER = "8a1d611ec6cace7db6811091"
MONO_ACCOUNTS = {"7810d7ecce1009b5d45c4141", "c3f3ae2064cd5e50a65a6786"}


def test_a_mono_customer_is_synced_beside_the_okra_one_woken_by_monos_webhook(
    offline_stack: dict[str, Any], dynamodb: Any
) -> None:
    table = offline_stack["tables"]["DataTable"]
    assert set(offline_stack["providers"]) == {"okra", "mono"}

    def woken_mono_items() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = dynamodb.scan(
            TableName=table,
            FilterExpression="begins_with(sk, :item) AND attribute_exists(pushed_at) "
            "AND #status = :done",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":item": {"S": "ITEM#"}, ":done": {"S": "succeeded"}},
        )["Items"]
        mono = [i for i in found if i["account_id"]["S"] in MONO_ACCOUNTS]
        return mono if {i["product"]["S"] for i in mono} >= {"balance", "transactions"} else []

    # The one-minute schedule fires after a minute; Mono's real-time job is ready 3 s
    # after the run asks (the stack runs with --ready-after 3), and its webhook wakes it.
    woken = wait_for(woken_mono_items, timeout=240, every=2)
    account = woken[0]["account_id"]["S"]

    (profile,) = query(dynamodb, table, f"ACCOUNT#{account}", "PROFILE")
    assert (profile["provider"]["S"], profile["customer_id"]["S"]) == ("mono", MONO_CUSTOMER)
    (balance,) = query(dynamodb, table, f"ACCOUNT#{account}", "BALANCE#LATEST")
    assert balance["provider"]["S"] == "mono"
    transactions = query(dynamodb, table, f"ACCOUNT#{account}", "TXN#")
    assert transactions
    assert {t["provider"]["S"] for t in transactions} == {"mono"}

    # Both customers' data in the one change feed, each read the same way.
    with httpx.Client(base_url=offline_stack["api_url"]) as api:
        mono_feed = api.get(f"/customers/{MONO_CUSTOMER}/transactions/sync").json()
        okra_feed = api.get(f"/customers/{DEMO_CUSTOMER}/transactions/sync").json()
    assert {change["account_id"] for change in mono_feed["added"]} <= MONO_ACCOUNTS
    assert account in {change["account_id"] for change in mono_feed["added"]}
    assert DEMO_ACCOUNT in {change["account_id"] for change in okra_feed["added"]}


def test_monos_webhooks_need_the_secret_the_stack_put_in_place(
    offline_stack: dict[str, Any],
) -> None:
    body = {"event": "mono.events.account_updated", "data": {"account": {"_id": "e2e"}}}
    with httpx.Client(base_url=offline_stack["api_url"]) as api:
        forged = api.post(
            "/webhooks/mono", json=body, headers={"mono-webhook-secret": "not-the-secret"}
        )
        missing = api.post("/webhooks/mono", json=body)
    assert (forged.status_code, missing.status_code) == (401, 401)
