"""banksync's own words for what a provider deals in: products, accounts, outcomes."""

from dataclasses import dataclass, field
from typing import Any, Literal

Product = Literal["balance", "transactions"]
PRODUCTS: tuple[Product, ...] = ("balance", "transactions")


@dataclass(frozen=True, slots=True)
class ProviderAccount:
    """A customer's bank account as a provider describes it."""

    account_id: str
    customer_id: str
    bank_id: str
    bank_name: str
    nuban: str
    name: str
    currency: str

    def at_bank(self, bank: str) -> bool:
        wanted = bank.strip().lower()
        return wanted in {self.bank_id.lower(), self.bank_name.lower()}


@dataclass(frozen=True, slots=True)
class Ready:
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NotReady:
    detail: str = "processing"


@dataclass(frozen=True, slots=True)
class Failed:
    reason: str


REAUTH_REASON = "the customer must re-authorise with their bank"


@dataclass(frozen=True, slots=True)
class ReauthRequired:
    reason: str = REAUTH_REASON


@dataclass(frozen=True, slots=True)
class Started:
    """The provider took a refresh: its data will be at ``callback_url`` when ready,
    and the provider's webhook will name ``record_id``."""

    callback_url: str
    record_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


CallbackOutcome = Ready | NotReady | Failed | ReauthRequired
StartOutcome = Started | ReauthRequired | Failed


def as_product(name: str) -> Product:
    """A stored product name as a Product (what is not a balance is transactions)."""
    return "balance" if name == "balance" else "transactions"
