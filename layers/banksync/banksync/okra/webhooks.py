"""Okra webhook payloads → the few fields banksync indexes, plus a stable key.

Okra's webhooks vary by product and over time (``callback_type`` or ``type``
or ``method``; ``record`` or ``recordId``), so each normalised field takes the
first of its known spellings that is present. Nothing here rejects a payload:
unknown fields stay in the stored raw payload.
"""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from banksync.provider.announcements import IndexedWebhook

# The product objects an Okra webhook may carry, in the order their account
# reference is trusted.
PRODUCT_OBJECTS = ("balance", "transactions", "transaction", "account", "identity", "auth")


def event_key(payload: Mapping[str, Any]) -> str:
    """A key equal for every delivery of one webhook and different for any other.

    Okra retries a webhook by sending the same JSON again and has no delivery
    id, so the identity of a webhook is its content: the SHA-256 of its
    canonical JSON (sorted keys, no insignificant whitespace). Two events about
    one record differ in code, status or timestamps, and so in key.
    """
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def normalise(payload: Mapping[str, Any]) -> IndexedWebhook:
    return IndexedWebhook(
        event_type=_first_text(payload, "callback_type", "type", "method"),
        code=_first_text(payload, "callback_code", "code"),
        record_id=_first_id(payload, "record", "recordId"),
        customer_id=_first_id(payload, "customerId", "customer"),
        bank_id=_first_id(payload, "bankId", "bank"),
        account_id=_account_id(payload),
        env=_first_text(payload, "env"),
        status=_first_text(payload, "status"),
        ended_at=_first_text(payload, "ended_at"),
    )


def _account_id(payload: Mapping[str, Any]) -> str | None:
    for product in PRODUCT_OBJECTS:
        value = payload.get(product)
        if not isinstance(value, Mapping):
            continue
        account = value if product == "account" else value.get("account")
        found = id_of(account)
        if found:
            return found
    return _first_id(payload, "accountId", "account_id")


def _first_text(payload: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = payload.get(name)
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, str | int | float) and str(value).strip():
            return str(value).strip()
    return None


def _first_id(payload: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        found = id_of(payload.get(name))
        if found:
            return found
    return None


def id_of(value: Any) -> str | None:
    """An id given as a string, or as an object with ``_id``/``id`` (Okra uses both)."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, Mapping):
        return _first_text(value, "_id", "id")
    return None
