"""What the read API shows of stored accounts and balances."""

from datetime import datetime
from typing import Any

from banksync.bankdata.freshness import (
    failed_attribute,
    failure_attribute,
    pushed_attribute,
    synced_attribute,
)
from banksync.provider.names import provider_of
from banksync.provider_registry import row_reader

PRODUCTS = ("balance", "transactions")
PROFILE = ("account_id", "customer_id", "bank_id", "bank_name", "nuban", "name", "currency")


def account_summary(profile: dict[str, Any]) -> dict[str, Any]:
    shown = {name: profile.get(name) for name in PROFILE}
    shown["provider"] = provider_of(profile)
    shown["registered_at"] = profile.get("registered_at")
    shown["reauth_required"] = bool(profile.get("reauth_required_at"))
    return shown


def account_view(
    profile: dict[str, Any], latest: dict[str, Any] | None, now: datetime
) -> dict[str, Any]:
    """The profile, latest balance, data age, last refresh and re-authorisation state."""
    view = account_summary(profile)
    view["balance"] = balance_view(latest) if latest else None
    view["data_age_seconds"] = {
        product: _age(profile.get(synced_attribute(product)), now) for product in PRODUCTS
    }
    view["last_refresh"] = {product: _last_refresh(profile, product) for product in PRODUCTS}
    view["reauth"] = {
        "required": bool(profile.get("reauth_required_at")),
        "required_at": profile.get("reauth_required_at"),
        "reason": profile.get("reauth_reason"),
        "reauthorised_at": profile.get("reauthorised_at"),
    }
    return view


def balance_view(stored: dict[str, Any]) -> dict[str, Any]:
    raw = stored.get("balance") if isinstance(stored.get("balance"), dict) else {}
    account_id = str(stored.get("account_id") or "")
    rows = row_reader(provider_of(stored))
    normalised = rows.balance(raw or {}, account_id, str(stored.get("as_of") or ""))
    if "ledger" in stored or "available" in stored:
        # As written: a balance whose currency the provider left out keeps the
        # reading it was stored with.
        normalised["ledger"], normalised["available"] = (
            stored.get("ledger"),
            stored.get("available"),
        )
    return {**normalised, "fetched_at": stored.get("fetched_at"), "raw": raw}


def _last_refresh(profile: dict[str, Any], product: str) -> dict[str, Any] | None:
    """The newest outcome: data stored (``as_of`` the data), or a refresh that did not
    succeed (``at`` it ended, with its reason)."""
    synced = profile.get(synced_attribute(product))
    failed_at, failure = (
        profile.get(failed_attribute(product)),
        profile.get(failure_attribute(product)),
    )
    if isinstance(failed_at, str) and isinstance(failure, dict) and failed_at > str(synced or ""):
        return {
            "outcome": failure.get("status"),
            "at": failed_at,
            "reason": failure.get("reason") or None,
            "by": "banksync",
        }
    if not synced:
        return None
    by_provider = profile.get(pushed_attribute(product)) == synced
    return {
        "outcome": "succeeded",
        "as_of": synced,
        "by": "provider" if by_provider else "banksync",
    }


def _age(moment: Any, now: datetime) -> int | None:
    if not isinstance(moment, str):
        return None
    try:
        return max(0, int((now - datetime.fromisoformat(moment)).total_seconds()))
    except (TypeError, ValueError):
        return None
