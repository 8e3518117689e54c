"""A linked account as Mono holds it: the bank's rows, and the copy Mono last retrieved.

The bank posts transactions over time (every ``new_transaction_every`` seconds of
sandbox time, or when a test posts them); Mono's copy only moves when Mono syncs the
account (after linking, a real-time job, a re-authorisation or its own periodic
sync). So a sync finds new data exactly when the bank posted rows since the last
one. Rows are shaped as Mono's v2 rows: ``id``, ``narration``, integer ``amount``
in minor units, ``type`` (``debit``/``credit``), ``balance`` after the row, ``date``
and ``category``; ids are stable across runs.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from devstack.sandbox_mono.envelope import iso

HOURS_BETWEEN_OLD_ROWS = 6
CATEGORIES = ("transfer", "bank_charges", "online_transactions", "unknown", None)
NARRATIONS = ("NIP TRANSFER", "POS PURCHASE", "AIRTIME", "SMS ALERT CHARGES", "SALARY")


def object_id(*parts: str) -> str:
    """A 24-hex id shaped like Mono's, derived from ``parts``."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class MonoAccountSpec:
    """An account a customer links: what the bank and Mono know about it."""

    account_id: str
    customer_id: str
    customer_name: str = "Samuel Olamide"
    customer_email: str = "samuel@example.com"
    name: str = "SAMUEL OLAMIDE"
    currency: str = "NGN"
    type: str = "SAVINGS"
    institution: str = "GTBank"
    bank_code: str = "058"
    auth_method: str = "internet_banking"
    initial_transactions: int = 12
    # Seconds of sandbox time between new rows at the bank; None: only rows a test posts.
    new_transaction_every: float | None = None
    opening_balance: int = 5_000_000  # minor units, before the oldest row

    @property
    def account_number(self) -> str:
        return str(int(object_id(self.account_id, "nuban"), 16))[:10]

    @property
    def institution_id(self) -> str:
        return object_id("institution", self.bank_code)

    @property
    def bvn_last4(self) -> str:
        return str(int(object_id(self.account_id, "bvn"), 16))[-4:]


@dataclass
class AccountState:
    """One linked account: the bank's rows (their times) and what Mono stored."""

    spec: MonoAccountSpec
    linked_at: float
    ref: str | None = None
    data_status: str = "PROCESSING"
    retrieved_data: list[str] = field(default_factory=list)
    data_due_at: float | None = None  # when Mono's fetch after linking/re-auth completes
    reauth_required: bool = False
    updated_at: float = 0.0
    row_times: list[float] = field(default_factory=list)
    stored: int = 0  # how many of the bank's rows Mono's copy holds
    _next_row_at: float | None = None

    def __post_init__(self) -> None:
        count = self.spec.initial_transactions
        step = HOURS_BETWEEN_OLD_ROWS * 3600
        self.row_times = [self.linked_at - (count - i) * step for i in range(count)]
        every = self.spec.new_transaction_every
        self._next_row_at = self.linked_at + every if every else None
        self.updated_at = self.linked_at

    @property
    def account_id(self) -> str:
        return self.spec.account_id

    def bank_catches_up(self, now: float) -> None:
        """The rows the bank posted on its own by ``now``."""
        every = self.spec.new_transaction_every
        while every and self._next_row_at is not None and self._next_row_at <= now:
            self.row_times.append(self._next_row_at)
            self._next_row_at += every

    def post(self, count: int, at: float) -> None:
        self.row_times.extend([at] * count)

    def sync(self, at: float) -> bool:
        """Mono retrieves the account; whether the bank had rows Mono did not hold."""
        self.bank_catches_up(at)
        new = len(self.row_times) > self.stored
        self.stored = len(self.row_times)
        self.data_status = "AVAILABLE"
        self.retrieved_data = ["identity", "balance", "transactions"]
        self.updated_at = at
        return new

    def rows(self) -> list[dict[str, Any]]:
        """Mono's stored rows, newest first (balance after each row, oldest to newest)."""
        if self.data_status == "PROCESSING":
            return []
        running = self.spec.opening_balance
        rows = []
        for index, at in enumerate(self.row_times[: self.stored]):
            row = self._row(index, at)
            running += row["amount"] if row["type"] == "credit" else -row["amount"]
            row["balance"] = running
            rows.append(row)
        rows.reverse()  # the bank posts in time order: the newest row is the last
        return rows

    def balance(self) -> int | None:
        if self.data_status == "PROCESSING":
            return None
        rows = self.rows()
        return int(rows[0]["balance"]) if rows else self.spec.opening_balance

    def _row(self, index: int, at: float) -> dict[str, Any]:
        digest = hashlib.sha256(f"{self.account_id}/row/{index}".encode()).hexdigest()
        credit = int(digest[6], 16) % 3 == 0
        return {
            "id": digest[:24],
            "narration": f"{NARRATIONS[int(digest[7], 16) % len(NARRATIONS)]} {digest[8:14]}",
            "amount": 100 + int(digest[14:20], 16) % (250_000 if credit else 90_000),
            "type": "credit" if credit else "debit",
            "balance": 0,
            "date": iso(at),
            "category": CATEGORIES[int(digest[20], 16) % len(CATEGORIES)],
        }
