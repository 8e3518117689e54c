"""Transaction changes on the stream, counted into one event per account per batch.

The change feed numbers every change of an account's transactions
(``change_seq``, 1, 2, 3 … written with the change itself; see
banksync.feed.cursor). A record is a change when it carries a ``change_seq``
its old image did not; the event's cursor is the one just before the batch's
first change, so reading from it yields exactly these changes first.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from banksync.events.records import StreamRecord
from banksync.feed.cursor import encode_cursor
from banksync.provider.names import provider_of

CHANGES = ("added", "modified", "removed")


def is_transaction_change(record: StreamRecord) -> bool:
    return record.new.get("entity") == "transaction" and record.event_name != "REMOVE"


@dataclass
class _Account:
    seqs: dict[int, str] = field(default_factory=dict)  # change_seq → change
    last_at: str = ""
    provider: str = "okra"


class TransactionChanges:
    def __init__(self) -> None:
        self._accounts: dict[str, _Account] = {}

    def add(self, record: StreamRecord) -> None:
        seq, change = record.new.get("change_seq"), record.new.get("change")
        if not isinstance(seq, int) or change not in CHANGES:
            return
        if record.old.get("change_seq") == seq:
            return  # the row was rewritten, but no change was numbered
        account = str(record.new.get("account_id") or record.key_id("ACCOUNT"))
        state = self._accounts.setdefault(account, _Account(provider=provider_of(record.new)))
        state.seqs[seq] = str(change)  # a record seen twice in a batch counts once
        state.last_at = max(state.last_at, record.written_at)

    def summaries(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(id key, when, detail) of each account's event, in the order first seen."""
        for account, state in self._accounts.items():
            first, last = min(state.seqs), max(state.seqs)
            counts = dict.fromkeys(CHANGES, 0)
            for change in state.seqs.values():
                counts[change] += 1
            detail = {
                "account_id": account,
                "provider": state.provider,
                **counts,
                "cursor": encode_cursor(f"account:{account}", first - 1),
            }
            yield f"{account}:{first}:{last}", state.last_at, detail
