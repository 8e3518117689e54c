"""The sandbox's customers, accounts and per-account behaviour, all seeded.

Transaction ids are stable across runs; every transactions refresh of an
account makes new transactions appear, and the previous newest ones move from
``pending`` to ``posted`` (so a later refresh also updates existing ones).
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
# The sandbox's own key, not a credential.
SANDBOX_SECRET_KEY = "sandbox-secret-key"  # noqa: S105


@dataclass(frozen=True)
class Scenario:
    ready_after: float = 30.0  # seconds from refresh to a ready callback
    never_ready: bool = False
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
            "account": {"_id": self.account_id, "nuban": self.nuban, "name": self.name},
            "available_balance": ledger - 500,
            "ledger_balance": ledger,
            "currency": self.currency,
            "customer": {"_id": self.customer_id},
            "env": "production-sandbox",
        }

    def transactions(self, refreshes: int) -> list[dict[str, Any]]:
        total = self.initial_transactions + self.new_per_refresh * refreshes
        newest_pending = self.new_per_refresh
        return [self._transaction(i, pending=i >= total - newest_pending) for i in range(total)]

    def _transaction(self, index: int, pending: bool) -> dict[str, Any]:
        digest = _digest(self.account_id, "txn", str(index))
        amount = 500 + int(digest[:6], 16) % 250_000
        return {
            "_id": digest[:24],
            "account": self.account_id,
            "amount": amount,
            "type": "debit" if int(digest[6], 16) % 3 else "credit",
            "currency": self.currency,
            "narration": f"{'PENDING ' if pending else ''}POS purchase {digest[:6].upper()}",
            "status": "pending" if pending else "posted",
            "trans_date": (EPOCH + timedelta(hours=6 * index)).isoformat().replace("+00:00", "Z"),
        }


@dataclass
class World:
    accounts: list[AccountSpec]
    secret_key: str = SANDBOX_SECRET_KEY
    requests_per_minute: int = 60
    page_size: int = 50

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


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()
