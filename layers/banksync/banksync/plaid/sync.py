"""``/transactions/sync`` from an Item's cursor until ``has_more`` is false.

Plaid's pages are one batch: the Item's cursor may move only once every page
is stored. So the whole batch is collected and handed out as one
``Ready.data``::

    {"item_id", "cursor": <where the batch starts>, "next_cursor": <where the next
     one starts>, "added": [...], "modified": [...], "removed": [<transaction ids>],
     "pages": n}

and the caller saves ``next_cursor`` only after storing the rows and applying
the removals (a crash before that replays the same batch, never skips one).
``TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`` restarts the batch from its
first cursor, as Plaid's docs ask; an empty ``next_cursor`` with nothing in it
means Plaid has no transactions for the Item yet.
"""

from collections.abc import Callable
from typing import Any

from banksync.plaid.answers import Refusal
from banksync.plaid.items import ItemAccess
from banksync.provider.model import (
    REAUTH_REASON,
    CallbackOutcome,
    Failed,
    NotReady,
    Ready,
    ReauthRequired,
)

MAX_PAGES = 200
MAX_RESTARTS = 3

Page = Callable[[str, str, int], dict[str, Any] | Refusal]


class SyncPages:
    def __init__(self, page: Page, page_size: int, max_pages: int = MAX_PAGES) -> None:
        self._page, self._size, self._max_pages = page, page_size, max_pages

    def run(self, access: ItemAccess) -> CallbackOutcome:
        for _ in range(MAX_RESTARTS + 1):
            outcome = self._batch(access)
            if outcome is not None:
                return outcome
        return NotReady("Plaid's transactions kept changing during pagination; sync again")

    def _batch(self, access: ItemAccess) -> CallbackOutcome | None:
        """The batch's outcome, or None when Plaid's data changed under it (restart)."""
        added: list[Any] = []
        modified: list[Any] = []
        removed: list[str] = []
        cursor = access.cursor
        for page in range(1, self._max_pages + 1):
            said = self._page(access.access_token, cursor, self._size)
            if isinstance(said, Refusal):
                if said.mutation:
                    return None
                if said.reauth:
                    return ReauthRequired(f"{REAUTH_REASON} (Plaid: {said.error_code})")
                raise said.error()
            added += _rows(said.get("added"))
            modified += _rows(said.get("modified"))
            removed += [
                str(r["transaction_id"])
                for r in _rows(said.get("removed"))
                if isinstance(r.get("transaction_id"), str)
            ]
            next_cursor = said.get("next_cursor")
            if not isinstance(next_cursor, str):
                return Failed("Plaid's sync answer has no next_cursor")
            cursor = next_cursor
            if said.get("has_more") is not True:
                if not cursor and not (added or modified or removed):
                    return NotReady("Plaid has no transactions for the Item yet")
                return Ready(
                    {
                        "item_id": access.item_id,
                        "cursor": access.cursor,
                        "next_cursor": cursor,
                        "added": added,
                        "modified": modified,
                        "removed": removed,
                        "pages": page,
                    }
                )
        return Failed(f"Plaid's sync had more than {self._max_pages} pages")


def _rows(value: Any) -> list[dict[str, Any]]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
