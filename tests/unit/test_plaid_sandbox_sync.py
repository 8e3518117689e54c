"""``/transactions/sync`` on the Plaid sandbox through the official client: paginated
history, a mutation during pagination, pending → posted, modifications, removals,
``/transactions/refresh``, rate limits and faults."""

import json
from collections.abc import Iterator
from typing import Any

import plaid
import pytest
from plaid.model.transactions_refresh_request import TransactionsRefreshRequest
from plaid.model.transactions_sync_request import TransactionsSyncRequest

from devstack.sandbox_plaid import PlaidWorld
from devstack.sandbox_plaid.world import RATE_LIMITS, RateLimit
from tests.support.plaid_sandbox import PlaidHarness, plaid_harness

DAY = 86_400.0


@pytest.fixture
def harness() -> Iterator[PlaidHarness]:
    with plaid_harness(PlaidWorld(history_days=5, extraction_seconds=DAY)) as harness:
        yield harness


def sync(harness: PlaidHarness, access_token: str, cursor: str = "", count: int = 100) -> Any:
    request = TransactionsSyncRequest(access_token=access_token, count=count)
    if cursor:
        request.cursor = cursor
    return harness.client.transactions_sync(request)


def drain(harness: PlaidHarness, access_token: str, cursor: str = "") -> tuple[list[Any], str]:
    pages = []
    while True:
        page = sync(harness, access_token, cursor, count=3)
        pages.append(page)
        cursor = page.next_cursor
        if not page.has_more:
            return pages, cursor


def test_history_comes_in_pages_of_count_until_has_more_is_false(harness: PlaidHarness) -> None:
    access_token, _ = harness.linked()
    pages, cursor = drain(harness, access_token)
    assert [len(p.added) for p in pages] == [3, 3, 3, 1]  # 5 days, 2 accounts
    assert [p.has_more for p in pages] == [True, True, True, False]
    ids = [t.transaction_id for p in pages for t in p.added]
    assert len(set(ids)) == 10
    assert all(not t.pending for p in pages for t in p.added)
    nothing = sync(harness, access_token, cursor)
    assert (nothing.added, nothing.modified, nothing.removed, nothing.has_more) == (
        [],
        [],
        [],
        False,
    )
    assert nothing.next_cursor == cursor


def test_a_change_between_pages_is_a_mutation_during_pagination(harness: PlaidHarness) -> None:
    access_token, _ = harness.linked()
    first = sync(harness, access_token, count=4)
    assert first.has_more
    harness.advance(DAY)  # Plaid's extraction lands between the pages
    with pytest.raises(plaid.ApiException) as raised:
        sync(harness, access_token, first.next_cursor, count=4)
    error = json.loads(raised.value.body)
    assert raised.value.status == 400
    assert (error["error_type"], error["error_code"]) == (
        "TRANSACTIONS_ERROR",
        "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
    )
    pages, _ = drain(harness, access_token)  # restarting from the saved (empty) cursor works
    assert sum(len(p.added) for p in pages) == 12


def test_a_pending_row_that_posts_is_its_removal_and_an_addition_naming_it(
    harness: PlaidHarness,
) -> None:
    access_token, _ = harness.linked()
    _, cursor = drain(harness, access_token)
    harness.advance(DAY)
    page = sync(harness, access_token, cursor)
    pending = {t.transaction_id for t in page.added}
    assert len(pending) == 2
    assert all(t.pending for t in page.added)
    harness.advance(DAY)
    page = sync(harness, access_token, page.next_cursor)
    assert {r.transaction_id for r in page.removed} == pending
    posted = [t for t in page.added if not t.pending]
    assert {t.pending_transaction_id for t in posted} == pending
    assert {t.transaction_id for t in posted}.isdisjoint(pending)


def test_the_banks_amendments_and_reversals_arrive_as_modified_and_removed(
    harness: PlaidHarness,
) -> None:
    access_token, item_id = harness.linked()
    pages, cursor = drain(harness, access_token)
    amended, reversed_ = pages[0].added[0], pages[0].added[1]
    harness.sandbox.bank_amends(item_id, amended.transaction_id, amount=42.5)
    harness.sandbox.bank_reverses(item_id, reversed_.transaction_id)
    harness.sandbox.world.new_per_extraction = 0
    harness.advance(DAY)
    page = sync(harness, access_token, cursor)
    assert [(t.transaction_id, t.amount) for t in page.modified] == [(amended.transaction_id, 42.5)]
    assert [r.transaction_id for r in page.removed] == [reversed_.transaction_id]
    assert page.added == []


def test_refresh_extracts_now_and_needs_the_product(harness: PlaidHarness) -> None:
    access_token, item_id = harness.linked()
    _, cursor = drain(harness, access_token)
    harness.sandbox.bank_posts(
        item_id, harness.sandbox.items[item_id].accounts[0].account_id, 12.0, "Corner Shop"
    )
    harness.client.transactions_refresh(TransactionsRefreshRequest(access_token=access_token))
    page = sync(harness, access_token, cursor)
    assert "Corner Shop" in {t.name for t in page.added}
    harness.sandbox.world.client_products = ("transactions",)
    with pytest.raises(plaid.ApiException) as raised:
        harness.client.transactions_refresh(TransactionsRefreshRequest(access_token=access_token))
    assert json.loads(raised.value.body)["error_code"] == "INVALID_PRODUCT"


def test_sync_past_its_per_item_limit_is_rate_limited_until_the_minute_passes(
    harness: PlaidHarness,
) -> None:
    documented = RATE_LIMITS["/transactions/sync"]
    assert (documented.per_item, documented.per_client) == (50, 2_500)
    harness.sandbox.world.rate_limits["/transactions/sync"] = RateLimit(
        3, 2_500, "TRANSACTIONS_SYNC_LIMIT"
    )
    access_token, _ = harness.linked()
    for _ in range(3):
        sync(harness, access_token)
    with pytest.raises(plaid.ApiException) as raised:
        sync(harness, access_token)
    error = json.loads(raised.value.body)
    assert raised.value.status == 429
    assert (error["error_type"], error["error_code"]) == (
        "RATE_LIMIT_EXCEEDED",
        "TRANSACTIONS_SYNC_LIMIT",
    )
    harness.advance(60)
    sync(harness, access_token)


def test_faults_answer_plaids_internal_server_error_and_slow_answers_on_the_clock(
    harness: PlaidHarness,
) -> None:
    access_token, _ = harness.linked()
    harness.sandbox.faults.fail_next("INTERNAL_SERVER_ERROR", path_contains="/transactions/sync")
    with pytest.raises(plaid.ApiException) as raised:
        sync(harness, access_token)
    error = json.loads(raised.value.body)
    assert raised.value.status == 500
    assert (error["error_type"], error["error_code"]) == ("API_ERROR", "INTERNAL_SERVER_ERROR")
    harness.sandbox.faults.slow_next(8.0)
    start = harness.clock.now
    sync(harness, access_token)
    assert harness.clock.now - start == 8.0
