"""An Okra balance as a banksync balance: ledger and available in minor units."""

from typing import Any

from banksync.okra.amounts import minor_units
from banksync.provider.records import SCHEMA_VERSION


def normalise_balance(
    balance: dict[str, Any], account_id: str, as_of: str, account_currency: str | None = None
) -> dict[str, Any]:
    currency = balance.get("currency") if isinstance(balance.get("currency"), str) else None
    currency = (currency or account_currency or "").strip().upper() or None
    return {
        "account_id": account_id,
        "ledger": minor_units(balance.get("ledger_balance"), currency),
        "available": minor_units(balance.get("available_balance"), currency),
        "currency": currency,
        "as_of": as_of,
        "schema_version": SCHEMA_VERSION,
    }
