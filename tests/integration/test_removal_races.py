"""A removal wins over a fetch of its row, whatever the order the two land in.

The provider announces new rows and moments later deletes one of them, while
the fetch of those rows waits for the budget: the removal may land before the
fetch, after it, between the fetch's read and its write, or the fetch may land
between the removal's read and its own write. In every order the row ends
removed, is never listed, and the feed shows it added then removed, or not at all.
"""

from itertools import count
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banksync.bankdata.store import BankDataStore
from banksync.dynamo import from_item, to_item
from banksync.feed.reader import ChangeFeed
from devstack.template import StackTemplate
from tests.integration.test_change_feed import Interleaving, Ticking, read_all, row

AS_OF = "2026-11-21T10:00:00.000Z"
REMOVED_AT = "2026-11-21T10:00:01.000Z"
ORDERS = ("removal_first", "fetch_first", "removal_inside_fetch", "fetch_inside_removal")
accounts = count()


@pytest.fixture
def client(aws: boto3.Session, stack: StackTemplate) -> Any:
    return aws.client("dynamodb")


def land(order: str, table: str, client: Any, account: str, rows: list[Any], gone: str) -> None:
    fetch = BankDataStore(table, client, Ticking())
    removal = BankDataStore(table, client, Ticking())

    def fetched() -> object:
        return fetch.save_transactions(account, rows, AS_OF)

    def removed() -> object:
        return removal.removals.remove(account, [gone], REMOVED_AT, "rec-deleted")

    if order == "removal_first":
        removed(), fetched()
    elif order == "fetch_first":
        fetched(), removed()
    elif order == "removal_inside_fetch":
        watched = Interleaving(client)
        watched.before["transact_write_items"] = [removed]  # after the fetch read the rows
        BankDataStore(table, watched, Ticking()).save_transactions(account, rows, AS_OF)
    else:
        watched = Interleaving(client)
        watched.before["put_item"] = [fetched]  # after the removal found no row
        BankDataStore(table, watched, Ticking()).removals.remove(
            account, [gone], REMOVED_AT, "rec-deleted"
        )


@settings(
    max_examples=24, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.sampled_from(ORDERS), rows=st.integers(1, 4), data=st.data())
def test_a_removal_wins_over_the_fetch_of_its_row_in_every_order(
    stack: StackTemplate, client: Any, order: str, rows: int, data: st.DataObject
) -> None:
    table = stack.refs["DataTable"]
    account = f"acct-race-{next(accounts)}"
    listed = [row(n) for n in range(1, rows + 1)]
    gone = f"t-{data.draw(st.integers(1, rows))}"
    land(order, table, client, account, listed, gone)

    stored = client.get_item(
        TableName=table, Key=to_item({"pk": f"ACCOUNT#{account}", "sk": f"TXN#{gone}"})
    )
    assert from_item(stored["Item"]).get("removed_at"), f"{order}: the row came back"
    shown = BankDataStore(table, client).transactions(account)
    assert gone not in {t.get("transaction_id") for t in shown if not t.get("removed_at")}
    seen, _ = read_all(ChangeFeed(table, client), account=account)
    mine = [kind for kind, transaction, _ in seen if transaction == gone]
    assert mine in ([], ["added", "removed"]), f"{order}: the feed shows {mine}"
    others = sorted(t for kind, t, _ in seen if t != gone)
    assert others == sorted(f"t-{n}" for n in range(1, rows + 1) if f"t-{n}" != gone)
