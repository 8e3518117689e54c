"""An Item: its accounts, its bank's activity, and Plaid's extraction of it.

The bank acts (``post``, ``settle``, ``amend``, ``reverse``, or on its own: one new
pending row per account per extraction, posted at the next); Plaid sees it only
when it extracts, on its period or at ``/transactions/refresh``. A pending row
that posts is, as Plaid documents, a removal of the pending id and an addition
naming it in ``pending_transaction_id``.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from devstack.sandbox_plaid.ledger import Ledger, Transaction
from devstack.sandbox_plaid.world import PlaidAccountSpec, plaid_id

MERCHANTS = ("Uber", "Starbucks", "Tectra Inc", "KFC", "United Airlines", "Madison Bicycle Shop")


def day_of(at: float) -> dt.date:
    return dt.datetime.fromtimestamp(at, dt.UTC).date()


@dataclass
class Extraction:
    added: int = 0
    modified: int = 0
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.modified or self.removed)


@dataclass
class ItemState:
    item_id: str
    access_token: str
    accounts: list[PlaidAccountSpec]
    products: list[str]
    webhook: str | None
    created_at: float
    consent_expires_at: float | None = None
    error: str | None = None
    synced_once: bool = False
    warned_of_expiry: bool = False
    last_webhook: tuple[str, float] | None = None
    last_extraction: float | None = None
    ledger: Ledger = field(init=False)
    bank_queue: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    history_ids: set[str] = field(default_factory=set)
    _minted: int = 0

    def __post_init__(self) -> None:
        self.ledger = Ledger(self.item_id)

    def account(self, account_id: str) -> PlaidAccountSpec:
        for spec in self.accounts:
            if spec.account_id == account_id:
                return spec
        raise KeyError(f"no account {account_id} on item {self.item_id}")

    def mint(self, account_id: str) -> str:
        self._minted += 1
        return plaid_id(self.item_id, account_id, "txn", str(self._minted))

    def seed_history(self, days: int, now: float) -> None:
        """The posted history Plaid pulls when the Item is linked."""
        for spec in self.accounts:
            for back in range(days, 0, -1):
                row = self._book(spec.account_id, now - back * 86_400, pending=False)
                self.history_ids.add(row.transaction_id)

    # What the bank does; Plaid sees it at its next extraction.
    def bank(self, action: str, **details: Any) -> None:
        self.bank_queue.append((action, details))

    def extract(self, at: float, new_per_account: int) -> Extraction:
        done = Extraction()
        for row in self.ledger.pending():
            self._settle(row, at, done)
        for action, details in self.bank_queue:
            self._apply(action, details, at, done)
        self.bank_queue.clear()
        for spec in self.accounts:
            for _ in range(new_per_account):
                self._book(spec.account_id, at, pending=True)
                done.added += 1
        self.last_extraction = at
        return done

    def _apply(self, action: str, details: dict[str, Any], at: float, done: Extraction) -> None:
        ledger = self.ledger
        if action == "post":
            self._book(
                details["account_id"],
                at,
                pending=details.get("pending", True),
                amount=details.get("amount"),
                name=details.get("name"),
            )
            done.added += 1
        elif action == "settle":
            self._settle(ledger.live(details["transaction_id"]), at, done)
        elif action == "amend":
            ledger.modify(details["transaction_id"], **details["fields"])
            done.modified += 1
        elif action == "reverse":
            ledger.remove(details["transaction_id"])
            done.removed.append(details["transaction_id"])
        else:
            raise ValueError(f"unknown bank action {action}")

    def _settle(self, pending: Transaction, at: float, done: Extraction) -> None:
        if not pending.pending or pending.removed:
            return
        self.ledger.remove(pending.transaction_id)
        done.removed.append(pending.transaction_id)
        posted = Transaction(
            self.mint(pending.account_id),
            pending.account_id,
            pending.amount,
            pending.name,
            day_of(at),
            pending=False,
            currency=pending.currency,
            pending_transaction_id=pending.transaction_id,
            authorized_date=pending.date,
            merchant_name=pending.merchant_name,
        )
        self.ledger.add(posted)
        done.added += 1

    def _book(
        self,
        account_id: str,
        at: float,
        pending: bool,
        amount: float | None = None,
        name: str | None = None,
    ) -> Transaction:
        spec = self.account(account_id)
        number = self._minted
        merchant = name or MERCHANTS[number % len(MERCHANTS)]
        row = Transaction(
            self.mint(account_id),
            account_id,
            amount if amount is not None else round(5 + (number * 7.31) % 95, 2),
            merchant,
            day_of(at),
            pending=pending,
            currency=spec.currency,
            merchant_name=merchant,
        )
        self.ledger.add(row)
        return row

    def balances(self, account_id: str) -> tuple[float, float | None]:
        """(current, available): the balance at link less what posted, and was held, since."""
        spec = self.account(account_id)
        rows = [
            t
            for t in self.ledger.transactions.values()
            if t.account_id == account_id
            and not t.removed
            and t.transaction_id not in self.history_ids
        ]
        posted = sum(t.amount for t in rows if not t.pending)
        held = sum(t.amount for t in rows if t.pending)
        current = round(spec.current - posted, 2)
        available = None if spec.available is None else round(spec.available - posted - held, 2)
        return current, available
