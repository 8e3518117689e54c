"""Mono webhook payloads: where each event keeps its ids, the fields banksync indexes,
and a key per webhook.

Mono's events name the account three ways: ``data.account`` as a bare id
(``mono.accounts.jobs.update``), as an object with ``_id`` (or ``id``), or
``data.id`` (``mono.events.account_connected``). Nothing here rejects a
payload: what is not understood stays in the stored raw payload.
"""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from banksync.mono.urls import made_up_record
from banksync.mono.values import text
from banksync.provider.announcements import IndexedWebhook

JOB_UPDATE = "mono.accounts.jobs.update"
ACCOUNT_UPDATED = "mono.events.account_updated"
ACCOUNT_CONNECTED = "mono.events.account_connected"
ACCOUNT_REAUTHORIZED = "mono.events.account_reauthorized"
REAUTH_REQUIRED = "mono.events.reauthorisation_required"
# Mono's event ids are short tokens; anything else is hashed like an event without one.
MAX_EVENT_ID = 128


def event_key(payload: Mapping[str, Any]) -> str:
    """A key equal for every delivery of one webhook and different for any other.

    Mono's ``event_id`` (on most events since January 2026) is that key. Events
    without one (``jobs.update``, older deliveries) are known by what tells one
    from another: the event, its account and job, their statuses and times. Only
    those, not the whole payload, so that a retry Mono re-stamps in some other
    field is still the same webhook.
    """
    given = text(payload.get("event_id"))
    if given and len(given) <= MAX_EVENT_ID and given.isprintable():
        return f"mono:{given}"
    data, meta = _data(payload), meta_of(payload)
    account = _object(data.get("account"))
    identity = {
        "event": payload.get("event"),
        # An id too odd to be the key still tells this webhook from others.
        "event_id": payload.get("event_id"),
        "timestamp": payload.get("timestamp"),
        "account": account_id(payload),
        "customer": data.get("customer"),
        "job": job_id(payload),
        "status": data.get("status"),
        "updated_at": account.get("updated_at") or account.get("updatedAt"),
        "meta": {k: meta.get(k) for k in sorted(meta) if k != "ref"},
    }
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str)
    return f"mono:{hashlib.sha256(canonical.encode()).hexdigest()}"


def indexed(payload: Mapping[str, Any]) -> IndexedWebhook:
    data = _data(payload)
    institution = _object(_object(data.get("account")).get("institution"))
    account = account_id(payload)
    job = job_id(payload)
    return IndexedWebhook(
        event_type=text(payload.get("event")),
        code=code_of(payload),
        record_id=job or (made_up_record(account, event_key(payload)) if account else None),
        customer_id=_id(data.get("customer")),
        bank_id=text(institution.get("bankCode")) or text(institution.get("bank_code")),
        account_id=account,
        status=status_of(payload),
        ended_at=text(payload.get("timestamp")),
    )


def event_name(payload: Mapping[str, Any]) -> str:
    return (text(payload.get("event")) or "").lower()


def account_id(payload: Mapping[str, Any]) -> str | None:
    data = _data(payload)
    if event_name(payload) == ACCOUNT_CONNECTED:
        return text(data.get("id")) or _id(data.get("account"))
    return _id(data.get("account"))


def job_id(payload: Mapping[str, Any]) -> str | None:
    if event_name(payload) == JOB_UPDATE:
        return text(_data(payload).get("id"))
    return text(meta_of(payload).get("job_id"))


def status_of(payload: Mapping[str, Any]) -> str | None:
    """The job's status, else the sync's, else the data's."""
    meta = meta_of(payload)
    if event_name(payload) == JOB_UPDATE:
        return text(_data(payload).get("status"))
    return text(meta.get("sync_status")) or text(meta.get("data_status"))


def code_of(payload: Mapping[str, Any]) -> str | None:
    """A short upper-case word for the logs and the table's filters: ``JOB_FINISHED``,
    the sync status (``SUCCESSFUL``, ``REAUTHORISATION_REQUIRED``) or ``DATA_AVAILABLE``
    of an account update, else the event's own name (``ACCOUNT_CONNECTED``)."""
    name, status = event_name(payload), status_of(payload)
    meta = meta_of(payload)
    if name == JOB_UPDATE:
        return f"JOB_{status.upper()}" if status else "JOB"
    if name == ACCOUNT_UPDATED and not text(meta.get("sync_status")) and status:
        return f"DATA_{status.upper()}"
    if name == ACCOUNT_UPDATED and status:
        return status.upper()
    return name.rsplit(".", 1)[-1].upper() or None


def meta_of(payload: Mapping[str, Any]) -> dict[str, Any]:
    return _object(_data(payload).get("meta"))


def _data(payload: Mapping[str, Any]) -> dict[str, Any]:
    return _object(payload.get("data"))


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        return text(value.get("_id")) or text(value.get("id"))
    return text(value)
