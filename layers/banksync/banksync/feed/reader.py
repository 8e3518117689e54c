"""Reading the change feed: Plaid-style pages of added, modified and removed.

A page never reads past the account's head (``sk=CHANGES``), read first and
strongly: every change numbered up to it is committed (``changes.py``), so
a consumer never sees change 10 before change 9, and its cursor never
moves past a change it has not been given. Numbers run without gaps, so a
page is cut at the first number it does not find: the entries are read
eventually consistent (half the read units) and, when that read comes
back short, again strongly; a number missing even then means the log lost
an entry, and a cursor left before it is refused as stale rather than
stepping over it.

A customer's feed is its accounts' feeds side by side: one position per
account in the cursor, changes merged by when they were written (each
account's own order kept). An account the customer's list does not show
yet (an index a moment behind) simply starts at its beginning later: its
position is its own, so nothing is skipped.
"""

import heapq
from dataclasses import dataclass, field
from typing import Any

from banksync.dynamo import from_item, to_item
from banksync.feed.changes import ChangeLog, entry_sk
from banksync.feed.cursor import (
    CursorError,
    decode_cursor,
    decode_positions,
    encode_cursor,
    encode_positions,
)

RESTART = "start again without a cursor to read every change from the beginning"


class StaleCursorError(ValueError):
    """A cursor that names no position this feed has (ahead of it, or in a lost stretch)."""


@dataclass
class FeedPage:
    added: list[dict[str, Any]] = field(default_factory=list)
    modified: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str = ""
    has_more: bool = False

    def take(self, entry: dict[str, Any]) -> None:
        transaction = dict(entry["transaction"])
        if entry["change"] == "removed":
            self.removed.append(transaction)
        elif entry["change"] == "modified":
            self.modified.append(transaction)
        else:
            self.added.append(transaction)

    def __len__(self) -> int:
        return len(self.added) + len(self.modified) + len(self.removed)

    def answer(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "modified": self.modified,
            "removed": self.removed,
            "next_cursor": self.next_cursor,
            "has_more": self.has_more,
        }


class ChangeFeed:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client
        self.log = ChangeLog(table_name, client)

    def account_page(self, account_id: str, cursor: str | None, count: int) -> FeedPage:
        scope = f"account:{account_id}"
        after = _position(scope, cursor)
        head = self.log.head(account_id)
        entries = self._entries(account_id, after, head, count)
        page = FeedPage()
        for entry in entries:
            page.take(entry)
        last = int(entries[-1]["change_seq"]) if entries else after
        page.next_cursor = encode_cursor(scope, last)
        page.has_more = last < head
        return page

    def customer_page(
        self, customer_id: str, account_ids: list[str], cursor: str | None, count: int
    ) -> FeedPage:
        scope = f"customer:{customer_id}"
        positions = _positions(scope, cursor)
        queues: dict[str, list[dict[str, Any]]] = {}
        heads: dict[str, int] = {}
        for account_id in sorted({*account_ids, *positions}):
            heads[account_id] = self.log.head(account_id)
            after = positions.get(account_id, 0)
            queues[account_id] = self._entries(account_id, after, heads[account_id], count)
        page = FeedPage()
        moved = dict(positions)
        # Merged by when each was written, each account's queue taken in its own order.
        waiting = [(str(q[0]["changed_at"]), a, 0) for a, q in queues.items() if q]
        heapq.heapify(waiting)
        while waiting and len(page) < count:
            _, account_id, index = heapq.heappop(waiting)
            entry = queues[account_id][index]
            page.take(entry)
            moved[account_id] = int(entry["change_seq"])
            if index + 1 < len(queues[account_id]):
                following = queues[account_id][index + 1]
                heapq.heappush(waiting, (str(following["changed_at"]), account_id, index + 1))
        page.next_cursor = encode_positions(scope, {a: s for a, s in moved.items() if s})
        page.has_more = any(moved.get(a, 0) < head for a, head in heads.items())
        return page

    def _entries(self, account_id: str, after: int, head: int, count: int) -> list[dict[str, Any]]:
        if after > head:
            raise StaleCursorError(
                f"cursor is ahead of account {account_id}'s changes (is this another stack's?)"
            )
        if after == head:
            return []
        last = min(head, after + count)
        # Every entry up to the head is committed, but an eventually consistent
        # read may not show the newest yet: it stops at the first it misses (a
        # shorter page), and only a strongly consistent read can call one lost.
        entries = self._run(account_id, after, last, consistent=False)
        if len(entries) < last - after:
            entries = self._run(account_id, after, last, consistent=True)
        if not entries:
            raise StaleCursorError(f"changes after this cursor are no longer kept for {account_id}")
        return entries

    def _run(
        self, account_id: str, after: int, last: int, consistent: bool
    ) -> list[dict[str, Any]]:
        answer = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
            ExpressionAttributeValues=to_item(
                {
                    ":pk": f"ACCOUNT#{account_id}",
                    ":first": entry_sk(after + 1),
                    ":last": entry_sk(last),
                }
            ),
            ConsistentRead=consistent,
        )
        entries: list[dict[str, Any]] = []
        for raw in answer["Items"]:
            entry = from_item(raw)
            if int(entry["change_seq"]) != after + len(entries) + 1:
                break  # missing here: never step over it
            entries.append(entry)
        return entries


def _position(scope: str, cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        named, seq = decode_cursor(cursor)
    except CursorError:
        raise CursorError(f"cursor is not one this feed gave; {RESTART}") from None
    if named != scope:
        raise CursorError(f"cursor belongs to another feed ({named.split(':')[0]}); {RESTART}")
    return seq


def _positions(scope: str, cursor: str | None) -> dict[str, int]:
    if cursor is None:
        return {}
    try:
        named, positions = decode_positions(cursor)
    except CursorError:
        raise CursorError(f"cursor is not one this feed gave; {RESTART}") from None
    if named != scope:
        raise CursorError(f"cursor belongs to another feed ({named.split(':')[0]}); {RESTART}")
    return positions
