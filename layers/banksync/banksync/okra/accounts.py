"""A customer's bank account as the provider describes it."""

from dataclasses import dataclass
from typing import Any, Self


@dataclass(frozen=True, slots=True)
class ProviderAccount:
    account_id: str
    customer_id: str
    bank_id: str
    bank_name: str
    nuban: str
    name: str
    currency: str

    @classmethod
    def from_okra(cls, raw: dict[str, Any]) -> Self:
        bank: dict[str, Any] = raw["bank"] if isinstance(raw.get("bank"), dict) else {}
        customer = raw.get("customer")
        customer_id = customer.get("_id", "") if isinstance(customer, dict) else customer or ""
        return cls(
            account_id=str(raw.get("id") or raw.get("_id") or ""),
            customer_id=str(customer_id),
            bank_id=str(bank.get("_id") or bank.get("id") or bank.get("slug") or ""),
            bank_name=str(bank.get("name") or ""),
            nuban=str(raw.get("nuban") or ""),
            name=str(raw.get("name") or ""),
            currency=str(raw.get("currency") or ""),
        )

    def at_bank(self, bank: str) -> bool:
        wanted = bank.strip().lower()
        return wanted in {self.bank_id.lower(), self.bank_name.lower()}
