"""Mono's account objects as the port's ProviderAccount.

The same account comes in three spellings: a row of the accounts list (flat,
``customer {id}``), the account details answer (``{account, customer, meta}``)
and a webhook's account (camelCase, ``_id``, ``bankCode``). The bank is known by
its institution: ``bank_id`` is the institution's bank code (the CBN/NIBSS code
a business already knows), else Mono's institution id.
"""

from typing import Any

from banksync.mono.values import currency, text
from banksync.provider.model import ProviderAccount


def account_from_mono(raw: dict[str, Any], customer: Any = None) -> ProviderAccount:
    """``raw`` is an account row; ``customer`` the details answer's customer, if apart."""
    institution = _object(raw.get("institution"))
    return ProviderAccount(
        account_id=text(raw.get("id")) or text(raw.get("_id")) or "",
        customer_id=_id(raw.get("customer")) or _id(customer) or "",
        bank_id=text(institution.get("bank_code"))
        or text(institution.get("bankCode"))
        or text(institution.get("id"))
        or "",
        bank_name=text(institution.get("name")) or "",
        nuban=text(raw.get("account_number")) or text(raw.get("accountNumber")) or "",
        name=text(raw.get("name")) or "",
        currency=currency(raw.get("currency")) or "",
    )


def account_from_details(data: dict[str, Any]) -> ProviderAccount:
    """The account details answer's ``data`` (``{account, customer, meta}``)."""
    return account_from_mono(_object(data.get("account")), data.get("customer"))


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        return text(value.get("id")) or text(value.get("_id"))
    return text(value)
