"""A stored Mono webhook read as the port's news: data ready, nothing new, re-authorisation
asked for or done, an account linked.

The EventsTable keeps the indexed fields and the raw payload as JSON text
(``payload``); everything Mono-specific is read from the payload, and anything
malformed there is treated as absent.

Data news, per the real-time data and linking pages:

- ``mono.accounts.jobs.update`` ``finished``: the job's product is ready
  (``sync_balance`` → balance, ``sync_statement`` → transactions), record = job;
- ``mono.events.account_updated`` after a job (``meta.job_id``): with
  ``has_new_data``, both products (record = job: it wakes banksync's own
  refresh of either); without it, nothing new (a transactions announcement with
  ``new_transactions`` 0, so nothing is fetched); a failed or
  re-authorisation-required sync is no data news;
- ``account_updated`` with data and no job (after linking, after
  re-authorisation, or a refresh Mono ran itself): each product retrieved, under a
  record made up of the account and the webhook's key.

A webhook is a hint: the callback URL is always Mono's data URL for the
account, fetched with banksync's own key.
"""

import json
from datetime import UTC, datetime
from typing import Any

from banksync.clock import iso
from banksync.mono.urls import MonoUrls, made_up_record
from banksync.mono.values import text
from banksync.mono.webhooks import (
    ACCOUNT_UPDATED,
    JOB_UPDATE,
    account_id,
    code_of,
    event_key,
    event_name,
    job_id,
    meta_of,
)
from banksync.provider.announcements import Announcement
from banksync.provider.model import PRODUCTS, Product

JOB_PRODUCTS: dict[str, Product] = {
    "jobs.accounts.sync_balance": "balance",
    "jobs.accounts.sync_statement": "transactions",
    "jobs.accounts.sync_transactions": "transactions",
}
# Data statuses under which Mono holds data worth fetching (compared case-insensitively).
DATA_READY = frozenset({"available", "partial"})


def payload_of(event: dict[str, Any]) -> dict[str, Any]:
    raw = event.get("payload")
    try:
        payload = json.loads(raw) if isinstance(raw, str | bytes) else raw
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def announcements_of(event: dict[str, Any], urls: MonoUrls) -> tuple[Announcement, ...]:
    payload = payload_of(event)
    account = account_id(payload)
    if account is None:
        return ()
    name, meta = event_name(payload), meta_of(payload)
    job = job_id(payload)
    if name == JOB_UPDATE:
        data = payload.get("data")
        finished = isinstance(data, dict) and str(data.get("status")).lower() == "finished"
        products = _job_products(data.get("name") if isinstance(data, dict) else None)
        return tuple(_news(event, payload, urls, p, job) for p in products) if finished else ()
    if name != ACCOUNT_UPDATED:
        return ()
    sync = str(meta.get("sync_status") or "").lower()
    if sync not in ("", "successful"):
        return ()
    if job is not None:
        if str(meta.get("has_new_data")).lower() != "true":
            return (_news(event, payload, urls, "transactions", job, new_transactions=0),)
        return tuple(_news(event, payload, urls, p, job) for p in _retrieved(meta))
    if str(meta.get("data_status") or "").lower() not in DATA_READY:
        return ()
    record = made_up_record(account, str(event.get("event_id") or event_key(payload)))
    return tuple(_news(event, payload, urls, p, record) for p in _retrieved(meta))


def _news(
    event: dict[str, Any],
    payload: dict[str, Any],
    urls: MonoUrls,
    product: Product,
    record_id: str | None,
    new_transactions: int | None = None,
) -> Announcement:
    account = account_id(payload) or ""
    return Announcement(
        event_id=str(event.get("event_id") or ""),
        code=code_of(payload) or "",
        product=product,
        record_id=record_id,
        customer_id=_text(event.get("customer_id")),
        bank_id=_text(event.get("bank_id")),
        account_id=account,
        callback_url=urls.data(account, product),
        new_transactions=new_transactions,
        removed_transactions=(),
        as_of=as_of(payload.get("timestamp"), str(event.get("received_at") or "")),
    )


def _job_products(name: Any) -> tuple[Product, ...]:
    """The job's product; both for a job name Mono has not documented."""
    found = JOB_PRODUCTS.get(name.strip().lower()) if isinstance(name, str) else None
    return (found,) if found else PRODUCTS


def _retrieved(meta: dict[str, Any]) -> tuple[Product, ...]:
    """The products ``meta.retrieved_data`` lists (none if it lists only identity);
    both when it lists nothing, as Mono's real-time examples may."""
    listed = meta.get("retrieved_data")
    if not isinstance(listed, list) or not listed:
        return PRODUCTS
    words = {w.strip().lower() for w in listed if isinstance(w, str)}
    return tuple(p for p in PRODUCTS if p in words)


def as_of(timestamp: Any, received_at: str) -> str:
    """When Mono's data was taken: the webhook's ``timestamp`` if readable and not after
    its receipt, else when banksync received it."""
    if not isinstance(timestamp, str):
        return received_at
    try:
        moment = datetime.fromisoformat(timestamp.strip().replace("Z", "+00:00"))
        stamped = iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except (ValueError, OverflowError):
        return received_at
    return stamped if not received_at or stamped <= received_at else received_at


def _text(value: Any) -> str | None:
    return text(value)
