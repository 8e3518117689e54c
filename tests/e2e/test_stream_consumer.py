"""examples/stream-consumer beside the offline stack: a refresh's new transactions reach it,
and nothing else on the DataTable stream does."""

import re
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import wait_for

# The demo subscribes both sandbox accounts; this one is refreshed here on demand too.
ACCOUNT = "6740a2b3c4d5e6f7a8000c02"


def stored_transactions(dynamodb: Any, table: str, account: str) -> set[str]:
    pages = dynamodb.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :txn)",
        ExpressionAttributeValues={":pk": {"S": f"ACCOUNT#{account}"}, ":txn": {"S": "TXN#"}},
    )
    return {item["sk"]["S"].removeprefix("TXN#") for page in pages for item in page["Items"]}


def ledger(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    pages = dynamodb.get_paginator("scan").paginate(TableName=table)
    return [item for page in pages for item in page["Items"]]


def test_a_refreshs_new_transactions_reach_the_example_consumer_filtered(
    offline_stack: dict[str, Any], dynamodb: Any
) -> None:
    data = offline_stack["tables"]["DataTable"]
    ledger_table = offline_stack["example"]["tables"]["LedgerTable"]
    with httpx.Client(base_url=offline_stack["api_url"]) as api:
        accepted = api.post(
            "/refreshes", json={"account_id": ACCOUNT, "products": ["transactions"]}
        )
        assert accepted.status_code == 202
        refresh_id = accepted.json()["refresh_id"]

        def completed() -> dict[str, Any] | None:
            status = api.get(f"/refreshes/{refresh_id}").json()
            return status if status.get("status") == "completed" else None

        status = wait_for(completed, timeout=120)
    assert [i["status"] for i in status["items"]] == ["succeeded"]

    def all_recorded() -> set[str] | None:
        stored = stored_transactions(dynamodb, data, ACCOUNT)
        recorded = {
            e["transaction_id"]["S"]
            for e in ledger(dynamodb, ledger_table)
            if e["account_id"]["S"] == ACCOUNT
        }
        return recorded if stored and stored <= recorded else None

    wait_for(all_recorded, timeout=30, every=0.5)
    # Every ledger entry is a transaction banksync stored, and was recorded from its insert.
    entries = ledger(dynamodb, ledger_table)
    for entry in entries:
        account, transaction = entry["account_id"]["S"], entry["transaction_id"]["S"]
        assert transaction in stored_transactions(dynamodb, data, account)
        assert entry["stream_sequence_number"]["S"]
    # Balances, refresh items, runs, profiles went by on the same stream: the filter kept
    # them from the consumer, which fails any record that is not a new transaction.
    log = Path(offline_stack["log"]).read_text()
    assert "records passed its filter → NewTransactionsFunction" in log
    failures = [
        line
        for line in log.splitlines()
        if re.match(r"^\S+  error\s", line) and "NewTransactionsFunction" in line
    ]
    assert not failures, failures
    delivered = sum(
        int(line.split(" records passed its filter")[0].split()[-1])
        for line in log.splitlines()
        if "records passed its filter → NewTransactionsFunction" in line
    )
    assert delivered >= len(entries)
