"""The Mono sandbox's data, driven over HTTP: an account's balance and its transactions
(pages, filters, newest first, integer minor units) as Mono last retrieved them."""

import itertools
from datetime import datetime
from typing import Any

import pytest

from devstack.sandbox_mono import MonoWorld
from tests.support.mono_sandbox import MonoHarness, account

ROWS = 30


def with_rows(world: MonoWorld | None = None) -> tuple[MonoHarness, str]:
    harness = MonoHarness(world)
    account_id = harness.linked(account(1, initial_transactions=ROWS))
    harness.advance(harness.sandbox.world.link_data_delay)
    return harness, account_id


def rows(harness: MonoHarness, account_id: str, **query: Any) -> list[dict[str, Any]]:
    answer = harness.http.get(f"/v2/accounts/{account_id}/transactions", params=query)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["data"])


def test_rows_come_newest_first_in_integer_minor_units_with_a_direction() -> None:
    harness, account_id = with_rows()
    found = rows(harness, account_id, paginate="false")
    assert len(found) == ROWS
    dates = [row["date"] for row in found]
    assert dates == sorted(dates, reverse=True)
    assert all(type(row["amount"]) is int and row["amount"] > 0 for row in found)
    assert {row["type"] for row in found} == {"debit", "credit"}
    assert all("currency" not in row and "_id" not in row for row in found)
    # ``balance`` is the account's balance after the row.
    for newer, older in itertools.pairwise(found):
        change = newer["amount"] if newer["type"] == "credit" else -newer["amount"]
        assert newer["balance"] == older["balance"] + change


def test_the_balance_is_the_newest_rows_balance_in_the_accounts_currency() -> None:
    harness, account_id = with_rows()
    data = harness.http.get(f"/v2/accounts/{account_id}/balance").json()["data"]
    assert data["balance"] == rows(harness, account_id)[0]["balance"]
    assert data["currency"] == "NGN"
    assert data["id"] == account_id


def test_pages_follow_page_and_limit_and_say_the_total() -> None:
    harness, account_id = with_rows()
    everything = rows(harness, account_id, paginate="false")
    path = f"/v2/accounts/{account_id}/transactions"
    pages = [harness.http.get(path, params={"page": n, "limit": 12}).json() for n in (1, 2, 3)]
    assert [len(page["data"]) for page in pages] == [12, 12, 6]
    assert [row for page in pages for row in page["data"]] == everything
    assert [page["meta"]["page"] for page in pages] == [1, 2, 3]
    assert all(page["meta"]["total"] == ROWS for page in pages)
    assert pages[2]["meta"]["next"] is None
    assert pages[0]["meta"]["previous"] is None
    assert len(rows(harness, account_id)) == 20  # the sandbox's page without ``limit``
    assert rows(harness, account_id, page=9, limit=12) == []


def test_the_next_link_is_the_documented_one_unless_asked_otherwise() -> None:
    harness, account_id = with_rows()
    path = f"/v2/accounts/{account_id}/transactions"
    meta = harness.http.get(path, params={"limit": 5, "type": "debit"}).json()["meta"]
    assert meta["next"] == f"https://api.withmono.com/v2/{account_id}/transactions?page=2"
    harness, account_id = with_rows(MonoWorld(documented_next_link=False))
    meta = harness.http.get(path, params={"limit": 5}).json()["meta"]
    assert meta["next"] == f"https://api.withmono.com{path}?limit=5&page=2"


def test_type_and_narration_filter_the_rows() -> None:
    harness, account_id = with_rows()
    everything = rows(harness, account_id, paginate="false")
    debits = rows(harness, account_id, paginate="false", type="debit")
    assert debits == [row for row in everything if row["type"] == "debit"]
    word = everything[0]["narration"].split()[-1]
    found = rows(harness, account_id, paginate="false", narration=word.upper())
    assert found == [row for row in everything if word in row["narration"]]
    assert found


@pytest.mark.parametrize("layout", ["%d-%m-%Y", "%Y-%m-%d"])
def test_start_and_end_keep_the_rows_of_those_days(layout: str) -> None:
    harness, account_id = with_rows()
    everything = rows(harness, account_id, paginate="false")
    days = sorted({row["date"][:10] for row in everything})
    start, end = days[1], days[3]
    query = {
        "start": datetime.strptime(start, "%Y-%m-%d").strftime(layout),
        "end": datetime.strptime(end, "%Y-%m-%d").strftime(layout),
        "paginate": "false",
    }
    found = rows(harness, account_id, **query)
    assert found == [row for row in everything if start <= row["date"][:10] <= end]
    assert found


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"limit": "-1"}, "limit"),
        ({"paginate": "maybe"}, "paginate"),
        ({"type": "refund"}, "type"),
        ({"start": "2026-13-45"}, "start"),
        ({"end": "yesterday"}, "end"),
        ({"start": "02-01-2026", "end": "01-01-2026"}, "start"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_parameter(query: dict[str, str], named: str) -> None:
    harness, account_id = with_rows()
    answer = harness.http.get(f"/v2/accounts/{account_id}/transactions", params=query)
    assert answer.status_code == 400
    body = answer.json()
    assert body["status"] == "failed"
    assert body["message"].startswith(named)


def test_without_real_time_a_call_reads_what_mono_holds_and_starts_nothing() -> None:
    harness, account_id = with_rows()
    harness.sandbox.post_transactions(account_id, 3)
    answer = harness.http.get(f"/v2/accounts/{account_id}/transactions", params={"limit": 50})
    assert len(answer.json()["data"]) == ROWS  # the bank's new rows wait for a sync
    assert "x-job-id" not in answer.headers
    assert harness.sandbox.jobs.jobs == {}
