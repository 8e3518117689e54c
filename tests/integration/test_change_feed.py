"""The change feed: every change numbered once, read in order, never skipped or repeated."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banksync.bankdata.store import BankDataStore
from banksync.dynamo import from_item, to_item
from banksync.feed.changes import entry_sk
from banksync.feed.cursor import CursorError, encode_cursor, encode_positions
from banksync.feed.reader import ChangeFeed, StaleCursorError
from devstack.template import StackTemplate

ACCOUNT = "acct-0"
AS_OF = "2026-11-21T10:00:00.000Z"
LATER = "2026-11-22T10:00:00.000Z"


class Ticking:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 10, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class Interleaving:
    """A DynamoDB client that runs a step of another party right before a chosen call."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.before: dict[str, list[Callable[[], object]]] = {}
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._client, name)

        def interleaved(**kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            waiting = self.before.get(name)
            if waiting:
                waiting.pop(0)()
            return call(**kwargs)

        return interleaved


@pytest.fixture
def client(aws: boto3.Session, stack: StackTemplate) -> Any:
    return aws.client("dynamodb")


@pytest.fixture
def table(stack: StackTemplate) -> str:
    return stack.refs["DataTable"]


@pytest.fixture
def bank(table: str, client: Any) -> BankDataStore:
    return BankDataStore(table, client, Ticking())


@pytest.fixture
def feed(table: str, client: Any) -> ChangeFeed:
    return ChangeFeed(table, client)


def row(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "_id": f"t-{number}",
        "trans_date": f"2026-11-{1 + number % 28:02d}T09:00:00Z",
        "cleared_date": f"2026-11-{1 + number % 28:02d}T11:00:00Z",
        "debit": 100 + number,
        "currency": "NGN",
        "notes": {"desc": f"purchase {number}"},
        **fields,
    }


Seen = list[tuple[str, str, int]]


def read_all(
    feed: ChangeFeed, cursor: str | None = None, page_size: int = 100, account: str = ACCOUNT
) -> tuple[Seen, str]:
    seen: Seen = []
    while True:
        page = feed.account_page(account, cursor, page_size)
        seen += changes_of(page.answer())
        cursor = page.next_cursor
        if not page.has_more:
            return seen, cursor


def changes_of(answer: dict[str, Any]) -> Seen:
    seen = [
        (kind, str(t["transaction_id"]), int(t["change_seq"]))
        for kind in ("added", "modified", "removed")
        for t in answer[kind]
    ]
    return sorted(seen, key=lambda change: change[2])


def test_each_change_is_numbered_once_and_rows_listed_again_unchanged_write_nothing(
    bank: BankDataStore, feed: ChangeFeed, table: str, client: Any
) -> None:
    assert bank.save_transactions(ACCOUNT, [row(1), row(2)], AS_OF) == (2, 0)
    watched = Interleaving(client)
    quiet = BankDataStore(table, watched)
    assert quiet.save_transactions(ACCOUNT, [row(1), row(2)], AS_OF) == (0, 0)
    assert "transact_write_items" not in watched.calls, "an unchanged row costs no write"
    assert bank.save_transactions(ACCOUNT, [row(1, debit="1,101.00"), row(3)], AS_OF) == (1, 1)
    assert bank.removals.remove(ACCOUNT, ["t-2", "t-9"], AS_OF, "rec-1") == ["t-2"]
    seen, cursor = read_all(feed)
    assert seen == [
        ("added", "t-1", 1),
        ("added", "t-2", 2),
        ("modified", "t-1", 3),
        ("added", "t-3", 4),
        ("removed", "t-2", 5),
    ]
    assert read_all(feed, cursor) == ([], cursor), "nothing new: the same cursor back"


def test_the_row_the_stream_shows_carries_its_change(
    bank: BankDataStore, table: str, client: Any
) -> None:
    bank.save_transactions(ACCOUNT, [row(1)], AS_OF)
    bank.save_transactions(ACCOUNT, [row(1, debit=5)], LATER)
    key = to_item({"pk": f"ACCOUNT#{ACCOUNT}", "sk": "TXN#t-1"})
    item = client.get_item(TableName=table, Key=key)["Item"]
    assert item["change_seq"] == {"N": "2"}
    assert item["change"] == {"S": "modified"}
    assert item["entity"] == {"S": "transaction"}
    assert item["schema_version"] == {"N": "1"}
    assert from_item(item)["amount"] == 500
    latest = client.get_item(
        TableName=table, Key=to_item({"pk": f"ACCOUNT#{ACCOUNT}", "sk": "BALANCE#LATEST"})
    )
    assert "Item" not in latest
    bank.save_balance(ACCOUNT, {"ledger_balance": "1,000.50", "currency": "NGN"}, AS_OF, AS_OF)
    balance = from_item(
        client.get_item(TableName=table, Key={**key, "sk": {"S": "BALANCE#LATEST"}})["Item"]
    )
    assert (balance["entity"], balance["schema_version"], balance["ledger"]) == (
        "balance",
        1,
        100050,
    )


def test_a_pending_row_that_posts_under_its_own_id_is_a_modification(
    bank: BankDataStore, feed: ChangeFeed
) -> None:
    bank.save_transactions(ACCOUNT, [row(1, cleared_date=None)], AS_OF)
    bank.save_transactions(ACCOUNT, [row(1)], LATER)
    page = feed.account_page(ACCOUNT, None, 10).answer()
    assert [t["status"] for t in page["added"]] == ["pending"]
    assert [t["status"] for t in page["modified"]] == ["posted"]
    assert len(bank.transactions(ACCOUNT)) == 1


def test_a_posted_row_naming_its_pending_one_replaces_it_never_duplicates_it(
    bank: BankDataStore, feed: ChangeFeed
) -> None:
    bank.save_transactions(ACCOUNT, [row(1, cleared_date=None)], AS_OF)
    posted = row(2, pending_transaction_id="t-1")
    assert bank.save_transactions(ACCOUNT, [posted], LATER) == (1, 0)
    seen, _ = read_all(feed)
    assert seen == [("added", "t-1", 1), ("added", "t-2", 2), ("removed", "t-1", 3)]
    removed = feed.account_page(ACCOUNT, encode_cursor(f"account:{ACCOUNT}", 2), 1).removed[0]
    assert (removed["removed_reason"], removed["replaced_by"]) == ("posted", "t-2")
    # The pending row listed again changes nothing: it stays replaced.
    assert bank.save_transactions(ACCOUNT, [row(1, cleared_date=None), posted], LATER) == (0, 0)


def test_a_removed_row_listed_again_stays_removed(bank: BankDataStore, feed: ChangeFeed) -> None:
    bank.save_transactions(ACCOUNT, [row(1)], AS_OF)
    assert bank.removals.remove(ACCOUNT, ["t-1"], AS_OF, "rec-1") == ["t-1"]
    assert bank.removals.remove(ACCOUNT, ["t-1"], AS_OF, "rec-1") == []
    assert bank.save_transactions(ACCOUNT, [row(1, debit=7)], LATER) == (0, 0)
    seen, _ = read_all(feed)
    assert seen == [("added", "t-1", 1), ("removed", "t-1", 2)]


def test_racing_writers_each_get_their_own_numbers(
    bank: BankDataStore, feed: ChangeFeed, table: str, client: Any
) -> None:
    """A second refresh commits between the first one's read and its write: the first
    one's transaction fails on the head, reads again and takes the next numbers."""
    racing = Interleaving(client)
    first = BankDataStore(table, racing)
    second = BankDataStore(table, client)
    racing.before["transact_write_items"] = [
        lambda: second.save_transactions(ACCOUNT, [row(1), row(2, debit=9)], LATER)
    ]
    assert first.save_transactions(ACCOUNT, [row(2), row(3)], AS_OF) == (1, 0)
    assert racing.calls["transact_write_items"] == 2, "conflicted once, then wrote"
    seen, _ = read_all(feed)
    assert seen == [("added", "t-1", 1), ("added", "t-2", 2), ("added", "t-3", 3)]
    (stored,) = [t for t in bank.transactions(ACCOUNT) if t["transaction_id"] == "t-2"]
    assert stored["amount"] == 900, "the newer refresh's row stands"


def test_a_change_committed_while_a_page_is_read_comes_on_the_next_page(
    bank: BankDataStore, table: str, client: Any
) -> None:
    """The head is read first; a change committed after it is not on this page, even
    though the query that follows could see it."""
    bank.save_transactions(ACCOUNT, [row(1), row(2)], AS_OF)
    racing = Interleaving(client)
    reader = ChangeFeed(table, racing)
    racing.before["query"] = [lambda: bank.save_transactions(ACCOUNT, [row(3)], AS_OF)]
    page = reader.account_page(ACCOUNT, None, 10)
    assert changes_of(page.answer()) == [("added", "t-1", 1), ("added", "t-2", 2)]
    assert not page.has_more, "as of the head it read"
    following = reader.account_page(ACCOUNT, page.next_cursor, 10)
    assert changes_of(following.answer()) == [("added", "t-3", 3)]


operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("save"), st.lists(st.tuples(st.integers(0, 7), st.integers(1, 3)), max_size=6)
        ),
        st.tuples(st.just("remove"), st.lists(st.integers(0, 7), max_size=3)),
        st.tuples(st.just("read"), st.integers(1, 4)),
    ),
    max_size=14,
)
examples = count()


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations)
def test_a_consumer_paging_while_refreshes_write_keeps_an_exact_copy(
    table: str, client: Any, script: list[tuple[str, Any]]
) -> None:
    account = f"acct-{next(examples)}"
    bank = BankDataStore(table, client, Ticking())
    feed = ChangeFeed(table, client)
    copy: dict[str, dict[str, Any]] = {}
    seqs: list[int] = []
    cursor: str | None = None

    def consume(size: int) -> bool:
        nonlocal cursor
        page = feed.account_page(account, cursor, size)
        for _change, _, seq in changes_of(page.answer()):
            seqs.append(seq)
        for t in page.added + page.modified:
            copy[t["transaction_id"]] = t
        for t in page.removed:
            copy.pop(t["transaction_id"], None)
        cursor = page.next_cursor
        return page.has_more

    for step, (kind, argument) in enumerate(script):
        if kind == "save":
            rows = [row(number, debit=version) for number, version in argument]
            bank.save_transactions(account, rows, f"2026-11-21T10:00:{step:02d}.000Z")
        elif kind == "remove":
            bank.removals.remove(account, [f"t-{n}" for n in argument], AS_OF, "rec")
        else:
            consume(argument)
    while consume(3):
        pass
    assert seqs == list(range(1, len(seqs) + 1)), "every change once, in order, none skipped"
    stored = {t["transaction_id"]: t for t in bank.transactions(account) if not t.get("removed_at")}
    assert {i: t["amount"] for i, t in copy.items()} == {i: t["amount"] for i, t in stored.items()}


def test_bad_foreign_and_stale_cursors_are_refused(
    bank: BankDataStore, feed: ChangeFeed, table: str, client: Any
) -> None:
    bank.save_transactions(ACCOUNT, [row(1), row(2), row(3)], AS_OF)
    good = encode_cursor(f"account:{ACCOUNT}", 1)
    tampered = good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]
    for bad in ("", "not a cursor", tampered, "x" * 5000, encode_cursor("account:other", 1)):
        with pytest.raises(CursorError, match="without a cursor"):
            feed.account_page(ACCOUNT, bad, 10)
    with pytest.raises(CursorError):
        feed.account_page(ACCOUNT, encode_positions("customer:c", {ACCOUNT: 1}), 10)
    with pytest.raises(StaleCursorError, match="ahead"):
        feed.account_page(ACCOUNT, encode_cursor(f"account:{ACCOUNT}", 4), 10)
    # An entry the log no longer has: never stepped over.
    client.delete_item(
        TableName=table, Key=to_item({"pk": f"ACCOUNT#{ACCOUNT}", "sk": entry_sk(2)})
    )
    with pytest.raises(StaleCursorError):
        feed.account_page(ACCOUNT, good, 10)
    page = feed.account_page(ACCOUNT, None, 10)
    assert changes_of(page.answer()) == [("added", "t-1", 1)]
    assert page.has_more


def test_the_cursor_of_a_stretch_of_stream_records_yields_exactly_them(
    bank: BankDataStore, feed: ChangeFeed
) -> None:
    bank.save_transactions(ACCOUNT, [row(1), row(2)], AS_OF)
    bank.save_transactions(ACCOUNT, [row(3), row(4), row(5)], AS_OF)  # changes 3 to 5
    first, last = 3, 5
    page = feed.account_page(
        ACCOUNT, encode_cursor(f"account:{ACCOUNT}", first - 1), last - first + 1
    )
    assert [seq for *_, seq in changes_of(page.answer())] == [3, 4, 5]


def test_a_customers_feed_merges_its_accounts_and_skips_none_listed_late(
    bank: BankDataStore, feed: ChangeFeed
) -> None:
    bank.save_transactions("acct-a", [row(1), row(2)], AS_OF)
    bank.save_transactions("acct-b", [row(3)], AS_OF)
    bank.save_transactions("acct-a", [row(4)], AS_OF)
    # acct-b is not listed yet (the customer index a moment behind): a page without it.
    page = feed.customer_page("c-1", ["acct-a"], None, 2)
    got = [(t["account_id"], t["transaction_id"]) for t in page.added]
    assert got == [("acct-a", "t-1"), ("acct-a", "t-2")]
    assert page.has_more
    rest = feed.customer_page("c-1", ["acct-a", "acct-b"], page.next_cursor, 10)
    got = [(t["account_id"], t["transaction_id"]) for t in rest.added]
    assert sorted(got) == [("acct-a", "t-4"), ("acct-b", "t-3")]
    assert got.index(("acct-b", "t-3")) < got.index(("acct-a", "t-4")), "by when written"
    assert not rest.has_more
    with pytest.raises(CursorError):
        feed.customer_page("c-2", ["acct-a"], rest.next_cursor, 10)
