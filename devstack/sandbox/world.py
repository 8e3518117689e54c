"""The sandbox's customers, accounts and per-account behaviour, all seeded.

Rows are shaped as Okra's: transactions carry ``_id`` (or ``id``),
``trans_date``, ``cleared_date`` (null while pending), ``debit`` or
``credit`` (a number or a string, as the provider sends both), ``notes.desc``,
``ref``, ``branch``, ``code``, the ``account``/``customer``/``bank`` ids and
``currency``. Transaction ids are stable across runs; every transactions
refresh of an account makes new transactions appear, and the previous newest
ones clear (so a later refresh also updates existing ones). Rows the bank
took back (``removed``) are no longer listed.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
# The sandbox's own key, not a credential.
SANDBOX_SECRET_KEY = "sandbox-secret-key"  # noqa: S105


NOT_READY_SHAPES = ("accepted", "in_progress")
WEBHOOK_BEHAVIOURS = ("sent", "never", "late", "twice", "early")


@dataclass(frozen=True)
class Scenario:
    ready_after: float = 30.0  # seconds from refresh to a ready callback
    never_ready: bool = False
    # How a callback that is not ready answers: "accepted" (HTTP 202,
    # status "processing") or "in_progress" (Okra's published shape: 200,
    # status "success", data.status.process.running true).
    not_ready_shape: str = "accepted"
    # The provider's webhook when a refresh's data is ready: "sent" at once,
    # "never", "late" (webhook_delay seconds after), "twice", or "early" (at the
    # refresh, before the data is ready).
    webhook: str = "sent"
    webhook_delay: float = 120.0
    # Posted rows the bank takes back at each of the provider's own refreshes.
    deleted_per_refresh: int = 0
    # Rows each of the provider's own refreshes announces as new that the bank takes
    # back a moment after the announcement: a business's fetch of them may still wait.
    deleted_announced_per_refresh: int = 0

    def __post_init__(self) -> None:
        if self.not_ready_shape not in NOT_READY_SHAPES:
            raise ValueError(f"not_ready_shape must be one of {NOT_READY_SHAPES}")
        if self.webhook not in WEBHOOK_BEHAVIOURS:
            raise ValueError(f"webhook must be one of {WEBHOOK_BEHAVIOURS}")

    reauth_required: bool = False
    unavailable_calls: int = 0  # the first N calls about this account answer 503
    rate_limited_calls: int = 0  # the first N refresh calls answer 429
    slow_seconds: float = 0.0  # every answer about this account takes this long


@dataclass(frozen=True)
class AccountSpec:
    account_id: str
    customer_id: str
    bank_id: str = "5d6fe57a4099cc4b210bbec0"
    bank_name: str = "Access Bank"
    name: str = "Savings Account"
    currency: str = "NGN"
    scenario: Scenario = field(default_factory=Scenario)
    initial_transactions: int = 12
    new_per_refresh: int = 3

    @property
    def nuban(self) -> str:
        return str(int(_digest(self.account_id), 16))[:10]

    def as_okra(self) -> dict[str, Any]:
        return {
            "_id": self.account_id,
            "id": self.account_id,
            "bank": {"_id": self.bank_id, "name": self.bank_name, "status": "healthy"},
            "customer": {"_id": self.customer_id, "name": f"Customer {self.customer_id[-4:]}"},
            "env": "production-sandbox",
            "nuban": self.nuban,
            "name": self.name,
            "type": "Savings",
            "currency": self.currency,
        }

    def balance(self, refreshes: int) -> dict[str, Any]:
        ledger = (
            100_000 + int(_digest(self.account_id, "balance"), 16) % 900_000 + refreshes * 1_250
        )
        return {
            "_id": _digest(self.account_id, "balance-id")[:24],
            "account": {"id": self.account_id, "nuban": self.nuban, "name": self.name},
            "available_balance": ledger - 500,
            "ledger_balance": ledger,
            "currency": self.currency,
            "customer": {"_id": self.customer_id},
            "bank": self.bank_id,
            "env": "production-sandbox",
        }

    def transactions(self, refreshes: int, removed: frozenset[str] = frozenset()) -> list[Any]:
        total = self.initial_transactions + self.new_per_refresh * refreshes
        newest_pending = self.new_per_refresh
        rows = [self._transaction(i, pending=i >= total - newest_pending) for i in range(total)]
        return [row for row in rows if transaction_id(row) not in removed]

    def taken_back(self, refreshes: int, removed: frozenset[str]) -> tuple[list[str], list[str]]:
        """The rows the bank takes back at the ``refreshes``-th of the provider's own
        refreshes: the oldest posted ones, and the newest of the rows it announces."""
        rows = self.transactions(refreshes, removed)
        posted = [transaction_id(row) for row in rows if row.get("cleared_date")]
        posted = posted[: self.scenario.deleted_per_refresh]
        earlier = self.transactions(refreshes - 1) if refreshes > 1 else []
        before = {transaction_id(row) for row in earlier}
        new = [transaction_id(row) for row in rows]
        new = [row for row in new if row not in before and row not in posted]
        count = self.scenario.deleted_announced_per_refresh
        return posted, new[-count:] if count else []

    def new_transactions(self, refreshes: int) -> int:
        """How many rows the ``refreshes``-th refresh found that the one before did not."""
        return self.initial_transactions if refreshes <= 1 else self.new_per_refresh

    def _transaction(self, index: int, pending: bool) -> dict[str, Any]:
        digest = _digest(self.account_id, "txn", str(index))
        kobo = 50_000 + int(digest[:6], 16) % 25_000_000
        amount: float | str = kobo / 100
        if index % 4 == 3:
            amount = f"{kobo / 100:.2f}"  # Okra sends amounts as strings too
        booked = EPOCH + timedelta(hours=6 * index)
        row: dict[str, Any] = {
            "_id": digest[:24],
            "account": self.account_id,
            "customer": self.customer_id,
            "bank": self.bank_id,
            "debit": None,
            "credit": None,
            "currency": self.currency,
            "trans_date": _iso(booked),
            "cleared_date": None if pending else _iso(booked + timedelta(hours=2)),
            "notes": {"desc": f"POS purchase {digest[:6].upper()}", "topics": []},
            "ref": f"FT{digest[8:20].upper()}",
            "branch": "HEAD OFFICE",
            "code": digest[20:24],
            "env": "production-sandbox",
        }
        row["debit" if int(digest[6], 16) % 3 else "credit"] = amount
        if index % 5 == 4:
            row["id"] = row.pop("_id")  # both spellings occur in Okra's answers
        return row


@dataclass
class World:
    accounts: list[AccountSpec]
    secret_key: str = SANDBOX_SECRET_KEY
    requests_per_minute: int = 60
    page_size: int = 50
    # The provider's own refresh of every connected account (daily at Okra);
    # None turns it off.
    auto_refresh_seconds: float | None = 86_400.0
    # True: a record holds the rows its refresh found, so rows the bank takes back
    # afterwards are still in it, as in a record the provider stored (a fetch of it
    # races the removal). False: every answer leaves out what was taken back so far.
    records_keep_removed_rows: bool = False

    def account(self, account_id: str) -> AccountSpec | None:
        return next((a for a in self.accounts if a.account_id == account_id), None)

    def customer_accounts(self, customer_id: str) -> list[AccountSpec]:
        return [a for a in self.accounts if a.customer_id == customer_id]


def demo_world(ready_after: float = 45.0) -> World:
    """One sandbox customer with two accounts at two banks."""
    customer = "6740a0e1b2c3d4e5f6000a01"
    return World(
        accounts=[
            AccountSpec("6740a2b3c4d5e6f7a8000c01", customer, scenario=Scenario(ready_after)),
            AccountSpec(
                "6740a2b3c4d5e6f7a8000c02",
                customer,
                bank_id="5d6fe57a4099cc4b210bbeb3",
                bank_name="Guaranty Trust Bank",
                name="Current Account",
                scenario=Scenario(ready_after),
            ),
        ]
    )


def transaction_id(row: dict[str, Any]) -> str:
    return str(row.get("_id") or row.get("id") or "")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()
