"""Okra's account objects as the port's ProviderAccount."""

from typing import Any

from banksync.provider.model import ProviderAccount


def account_from_okra(raw: dict[str, Any]) -> ProviderAccount:
    bank: dict[str, Any] = raw["bank"] if isinstance(raw.get("bank"), dict) else {}
    customer = raw.get("customer")
    customer_id = customer.get("_id", "") if isinstance(customer, dict) else customer or ""
    return ProviderAccount(
        account_id=str(raw.get("id") or raw.get("_id") or ""),
        customer_id=str(customer_id),
        bank_id=str(bank.get("_id") or bank.get("id") or bank.get("slug") or ""),
        bank_name=str(bank.get("name") or ""),
        nuban=str(raw.get("nuban") or ""),
        name=str(raw.get("name") or ""),
        currency=str(raw.get("currency") or ""),
    )
