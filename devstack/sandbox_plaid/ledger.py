"""An Item's transactions as Plaid holds them, and ``/transactions/sync`` over them.

Every change Plaid's extraction makes is appended to the Item's change log; a
cursor is a position in that log. A page is the next ``count`` changes, folded
per transaction (added then modified reads as added with the latest data; added
then removed within one page is not shown). A cursor handed out with
``has_more`` true also records where the log ended when paging began: if the log
has grown since, the next page is TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION
and the client restarts from the cursor it saved before paging.
"""

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from typing import Any

from devstack.sandbox_plaid.errors import PlaidApiError


@dataclass
class Transaction:
    transaction_id: str
    account_id: str
    amount: float
    name: str
    date: dt.date
    pending: bool
    currency: str = "USD"
    pending_transaction_id: str | None = None
    authorized_date: dt.date | None = None
    merchant_name: str | None = None
    removed: bool = False

    def render(self) -> dict[str, Any]:
        authorized = self.authorized_date or self.date
        return {
            "transaction_id": self.transaction_id,
            "account_id": self.account_id,
            "amount": self.amount,
            "iso_currency_code": self.currency,
            "unofficial_currency_code": None,
            "date": self.date.isoformat(),
            "datetime": None,
            "authorized_date": authorized.isoformat(),
            "authorized_datetime": None,
            "name": self.name,
            "merchant_name": self.merchant_name,
            "merchant_entity_id": None,
            "original_description": None,
            "logo_url": None,
            "website": None,
            "pending": self.pending,
            "pending_transaction_id": self.pending_transaction_id,
            "account_owner": None,
            "payment_channel": "in store" if self.merchant_name else "other",
            "transaction_type": "place" if self.merchant_name else "special",
            "transaction_code": None,
            "category": None,
            "category_id": None,
            "check_number": None,
            "counterparties": [],
            "location": dict.fromkeys(
                (
                    "address",
                    "city",
                    "region",
                    "postal_code",
                    "country",
                    "lat",
                    "lon",
                    "store_number",
                )
            ),
            "payment_meta": dict.fromkeys(
                (
                    "reference_number",
                    "ppd_id",
                    "payee",
                    "by_order_of",
                    "payer",
                    "payment_method",
                    "payment_processor",
                    "reason",
                )
            ),
            "personal_finance_category": None,
        }


@dataclass(frozen=True)
class Change:
    kind: str  # "added", "modified" or "removed"
    transaction_id: str


@dataclass(frozen=True)
class Page:
    added: list[dict[str, Any]]
    modified: list[dict[str, Any]]
    removed: list[dict[str, str]]
    next_cursor: str
    has_more: bool


class Ledger:
    def __init__(self, item_id: str) -> None:
        self.item_id = item_id
        self.transactions: dict[str, Transaction] = {}
        self.log: list[Change] = []

    def add(self, transaction: Transaction) -> None:
        self.transactions[transaction.transaction_id] = transaction
        self.log.append(Change("added", transaction.transaction_id))

    def modify(self, transaction_id: str, **fields: Any) -> None:
        transaction = self.live(transaction_id)
        for name, value in fields.items():
            setattr(transaction, name, value)
        self.log.append(Change("modified", transaction_id))

    def remove(self, transaction_id: str) -> None:
        self.live(transaction_id).removed = True
        self.log.append(Change("removed", transaction_id))

    def live(self, transaction_id: str) -> Transaction:
        transaction = self.transactions.get(transaction_id)
        if transaction is None or transaction.removed:
            raise KeyError(f"no live transaction {transaction_id}")
        return transaction

    def pending(self) -> list[Transaction]:
        return [t for t in self.transactions.values() if t.pending and not t.removed]

    def page(self, cursor: str, count: int) -> Page:
        position, paging_end = self._decode(cursor)
        if paging_end is not None and paging_end != len(self.log):
            raise PlaidApiError("TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION")
        end = len(self.log) if paging_end is None else paging_end
        stop = min(position + count, end)
        has_more = stop < end
        added, modified, removed = self._fold(self.log[position:stop])
        return Page(
            added, modified, removed, self._encode(stop, end if has_more else None), has_more
        )

    def _fold(
        self, window: list[Change]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, str]]]:
        first: dict[str, str] = {}
        last: dict[str, str] = {}
        for change in window:  # dicts keep the order of each id's first change
            first.setdefault(change.transaction_id, change.kind)
            last[change.transaction_id] = change.kind
        added, modified, removed = [], [], []
        for transaction_id, first_kind in first.items():
            transaction = self.transactions[transaction_id]
            if last[transaction_id] == "removed":
                if first_kind != "added":
                    removed.append(
                        {"transaction_id": transaction_id, "account_id": transaction.account_id}
                    )
            elif first_kind == "added":
                added.append(transaction.render())
            else:
                modified.append(transaction.render())
        return added, modified, removed

    def _encode(self, position: int, paging_end: int | None) -> str:
        text = f"{self.item_id}:{position}:{'' if paging_end is None else paging_end}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def _decode(self, cursor: str) -> tuple[int, int | None]:
        if not cursor:
            return 0, None
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            item_id, position, end = base64.urlsafe_b64decode(padded).decode().split(":")
            parsed = int(position), (int(end) if end else None)
        except (binascii.Error, UnicodeDecodeError, ValueError) as error:
            raise PlaidApiError("INVALID_FIELD", detail="cursor is not valid") from error
        if item_id != self.item_id or not 0 <= parsed[0] <= len(self.log):
            raise PlaidApiError("INVALID_FIELD", detail="cursor is not valid for this item")
        return parsed
