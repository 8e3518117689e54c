"""What a refresh execution is asked to do: a batch of items, or a customer's accounts."""

from dataclasses import dataclass
from typing import Any, Self

from banksync.okra.client import PRODUCTS
from banksync.refresh.settings import WorkflowSettings


@dataclass(frozen=True)
class ItemSpec:
    account_id: str
    product: str
    customer_id: str = ""


@dataclass(frozen=True)
class StartRequest:
    refresh_id: str
    items: tuple[ItemSpec, ...] = ()
    customer: str | None = None
    bank: str | None = None
    products: tuple[str, ...] = PRODUCTS
    initial_wait_seconds: int = 30
    deadline_seconds: int = 900

    @classmethod
    def parse(cls, event: dict[str, Any], settings: WorkflowSettings) -> Self:
        refresh_id = event.get("refresh_id")
        if not isinstance(refresh_id, str) or not refresh_id:
            raise ValueError("refresh_id is required")
        products = tuple(event.get("products") or PRODUCTS)
        unknown = set(products) - set(PRODUCTS)
        if unknown:
            raise ValueError(f"unknown products: {sorted(unknown)}")
        items = tuple(_item(raw) for raw in event.get("items") or ())
        customer = event.get("customer")
        if not items and not customer:
            raise ValueError("either items or customer is required")
        return cls(
            refresh_id=refresh_id,
            items=items,
            customer=customer or None,
            bank=event.get("bank") or None,
            products=products,
            initial_wait_seconds=int(
                event.get("initial_wait_seconds", settings.initial_wait_seconds)
            ),
            deadline_seconds=int(event.get("deadline_seconds", settings.deadline_seconds)),
        )

    def summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = {"products": list(self.products)}
        if self.customer:
            summary |= {"customer": self.customer, "bank": self.bank}
        if self.items:
            summary["items"] = len(self.items)
        return summary


def _item(raw: Any) -> ItemSpec:
    if not isinstance(raw, dict) or not raw.get("account_id") or raw.get("product") not in PRODUCTS:
        raise ValueError(f"each item needs an account_id and a product in {list(PRODUCTS)}")
    return ItemSpec(str(raw["account_id"]), str(raw["product"]), str(raw.get("customer_id") or ""))
