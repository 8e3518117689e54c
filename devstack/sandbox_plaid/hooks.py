"""Webhook bodies, field for field as Plaid documents them."""

import datetime as dt
from typing import Any

from devstack.sandbox_plaid.errors import error_object
from devstack.sandbox_plaid.items import ItemState

ENVIRONMENT = "sandbox"


def iso(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).isoformat().replace("+00:00", "Z")


def _base(kind: str, code: str, item: ItemState) -> dict[str, Any]:
    return {
        "webhook_type": kind,
        "webhook_code": code,
        "item_id": item.item_id,
        "environment": ENVIRONMENT,
    }


def sync_updates_available(item: ItemState) -> dict[str, Any]:
    body = _base("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", item)
    body["initial_update_complete"] = True
    body["historical_update_complete"] = True
    return body


def default_update(item: ItemState, new_transactions: int) -> dict[str, Any]:
    body = _base("TRANSACTIONS", "DEFAULT_UPDATE", item)
    return {**body, "new_transactions": new_transactions, "error": None}


def transactions_removed(item: ItemState, removed: list[str]) -> dict[str, Any]:
    body = _base("TRANSACTIONS", "TRANSACTIONS_REMOVED", item)
    return {**body, "removed_transactions": list(removed), "error": None}


def item_error(item: ItemState, code: str) -> dict[str, Any]:
    return {**_base("ITEM", "ERROR", item), "error": error_object(code, None)}


def login_repaired(item: ItemState) -> dict[str, Any]:
    return _base("ITEM", "LOGIN_REPAIRED", item)


def pending_expiration(item: ItemState) -> dict[str, Any]:
    expires = item.consent_expires_at or 0.0
    return {**_base("ITEM", "PENDING_EXPIRATION", item), "consent_expiration_time": iso(expires)}


def pending_disconnect(item: ItemState, reason: str = "INSTITUTION_MIGRATION") -> dict[str, Any]:
    return {**_base("ITEM", "PENDING_DISCONNECT", item), "reason": reason}


def new_accounts_available(item: ItemState) -> dict[str, Any]:
    return {**_base("ITEM", "NEW_ACCOUNTS_AVAILABLE", item), "error": None}
