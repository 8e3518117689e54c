"""What a refresh execution is asked to do: a batch of items, or a customer's accounts."""

from dataclasses import dataclass
from typing import Any, Self

from banksync.budget.limiter import PRIORITIES, Priority
from banksync.provider.model import PRODUCTS
from banksync.provider.names import DEFAULT_PROVIDER, PROVIDER_NAMES, ProviderName, is_provider_name
from banksync.refresh.settings import WorkflowSettings

# The longest deadline a run may be given: the template's RefreshDeadlineSeconds
# MaxValue. The state machine's own TimeoutSeconds (6 h) is chosen above the 4 h an
# unstarted item may wait plus this, so a larger deadline would be cut off unrecorded.
MAX_DEADLINE_SECONDS = 3600


@dataclass(frozen=True)
class ItemSpec:
    account_id: str
    product: str
    customer_id: str = ""
    subscription_id: str | None = None


@dataclass(frozen=True)
class CustomerSpec:
    customer: str
    bank: str | None
    products: tuple[str, ...]
    subscription_id: str | None = None


@dataclass(frozen=True)
class StartRequest:
    refresh_id: str
    items: tuple[ItemSpec, ...] = ()
    customers: tuple[CustomerSpec, ...] = ()
    products: tuple[str, ...] = PRODUCTS
    initial_wait_seconds: int = 30
    deadline_seconds: int = 900
    priority: Priority = "scheduled"
    sweep_id: str | None = None
    provider: ProviderName = DEFAULT_PROVIDER

    @classmethod
    def parse(cls, event: dict[str, Any], settings: WorkflowSettings) -> Self:
        refresh_id = event.get("refresh_id")
        if not isinstance(refresh_id, str) or not refresh_id:
            raise ValueError("refresh_id is required")
        products = _products(event.get("products"))
        items = tuple(_item(raw) for raw in event.get("items") or ())
        customers = tuple(_customer(raw, products) for raw in event.get("customers") or ())
        if event.get("customer"):
            customers += (_customer(event, products),)
        if not items and not customers:
            raise ValueError("either items or customer is required")
        return cls(
            refresh_id=refresh_id,
            items=items,
            customers=customers,
            products=products,
            initial_wait_seconds=int(
                event.get("initial_wait_seconds", settings.initial_wait_seconds)
            ),
            deadline_seconds=_deadline(event.get("deadline_seconds"), settings.deadline_seconds),
            priority=parse_priority(event.get("priority")),
            sweep_id=str(event["sweep_id"]) if event.get("sweep_id") else None,
            provider=parse_provider(event.get("provider")),
        )

    def summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = {"products": list(self.products), "priority": self.priority}
        if len(self.customers) == 1:
            summary |= {"customer": self.customers[0].customer, "bank": self.customers[0].bank}
        elif self.customers:
            summary["customers"] = len(self.customers)
        if self.items:
            summary["items"] = len(self.items)
        if self.sweep_id:
            summary["sweep_id"] = self.sweep_id
        if self.provider != DEFAULT_PROVIDER:
            summary["provider"] = self.provider
        return summary


def parse_priority(raw: Any) -> Priority:
    if raw is None:
        return "scheduled"
    for priority in PRIORITIES:
        if raw == priority:
            return priority
    raise ValueError(f"priority must be one of {list(PRIORITIES)}")


def _deadline(raw: Any, default: int) -> int:
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValueError("deadline_seconds must be a whole number of seconds")
    try:
        seconds = int(raw)
    except ValueError:
        raise ValueError("deadline_seconds must be a whole number of seconds") from None
    if not 1 <= seconds <= MAX_DEADLINE_SECONDS:
        raise ValueError(
            f"deadline_seconds must be between 1 and {MAX_DEADLINE_SECONDS}, got {seconds}"
        )
    return seconds


def _products(raw: Any) -> tuple[str, ...]:
    products = tuple(raw or PRODUCTS)
    unknown = set(products) - set(PRODUCTS)
    if unknown:
        raise ValueError(f"unknown products: {sorted(unknown)}")
    return products


def _item(raw: Any) -> ItemSpec:
    if not isinstance(raw, dict) or not raw.get("account_id") or raw.get("product") not in PRODUCTS:
        raise ValueError(f"each item needs an account_id and a product in {list(PRODUCTS)}")
    return ItemSpec(
        str(raw["account_id"]),
        str(raw["product"]),
        str(raw.get("customer_id") or ""),
        raw.get("subscription_id") or None,
    )


def _customer(raw: Any, default_products: tuple[str, ...]) -> CustomerSpec:
    if not isinstance(raw, dict) or not raw.get("customer"):
        raise ValueError("each customer entry needs a customer")
    return CustomerSpec(
        str(raw["customer"]),
        raw.get("bank") or None,
        _products(raw.get("products")) if raw.get("products") else default_products,
        raw.get("subscription_id") or None,
    )


def parse_provider(raw: object) -> ProviderName:
    """Every item of a run is one provider's (absent: the default one)."""
    if raw is None:
        return DEFAULT_PROVIDER
    if not is_provider_name(raw):
        raise ValueError(f"provider must be one of {', '.join(PROVIDER_NAMES)}")
    return raw
