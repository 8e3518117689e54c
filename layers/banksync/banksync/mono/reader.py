"""Mono's inbound webhooks read through the port's WebhookReader.

The reader is handed stored webhooks, not Mono's answers, so it does not know
the API's address from a call: callback URLs are built on ``base_url``
(Mono's public API unless told otherwise, e.g. a sandbox).
"""

from collections.abc import Mapping
from typing import Any

from banksync.mono.announcements import announcements_of, payload_of
from banksync.mono.urls import DEFAULT_BASE_URL, MonoUrls
from banksync.mono.values import text
from banksync.mono.webhooks import (
    ACCOUNT_CONNECTED,
    ACCOUNT_REAUTHORIZED,
    ACCOUNT_UPDATED,
    JOB_UPDATE,
    REAUTH_REQUIRED,
    account_id,
    event_key,
    event_name,
    indexed,
    job_id,
    meta_of,
)
from banksync.provider.announcements import (
    AccountLinked,
    Announcement,
    IndexedWebhook,
    ReauthNeeded,
    Reauthorised,
    WebhookCredential,
)

REAUTH_WORDS = frozenset({"reauthorisation_required", "reauthorization_required"})


class MonoWebhooks:
    # Mono signs nothing: its dashboard's webhook secret comes in a header of its own.
    credential = WebhookCredential("mono-webhook-secret")

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self._urls = MonoUrls(base_url)

    def event_key(self, payload: Mapping[str, Any]) -> str:
        return event_key(payload)

    def indexed(self, payload: Mapping[str, Any]) -> IndexedWebhook:
        return indexed(payload)

    def announcements(self, event: dict[str, Any]) -> tuple[Announcement, ...]:
        return announcements_of(event, self._urls)

    def reauthorisation(self, event: dict[str, Any]) -> Reauthorised | None:
        """``mono.events.account_reauthorized``: the hold lifts for that one account."""
        payload = payload_of(event)
        account = account_id(payload)
        if event_name(payload) != ACCOUNT_REAUTHORIZED or account is None:
            return None
        event_id = str(event.get("event_id") or "")
        return Reauthorised(
            event_id=event_id,
            customer_id=None,
            bank_id=None,
            record_id=str(event.get("record_id") or event_id),
            at=str(event.get("received_at") or ""),
            account_id=account,
        )

    def reauth_needed(self, event: dict[str, Any]) -> ReauthNeeded | None:
        """An account update whose sync needs re-authorisation, a job that says so, or
        the legacy ``mono.events.reauthorisation_required``."""
        payload = payload_of(event)
        account, name = account_id(payload), event_name(payload)
        if account is None:
            return None
        status = {
            ACCOUNT_UPDATED: meta_of(payload).get("sync_status"),
            JOB_UPDATE: _data(payload).get("status"),
        }.get(name)
        if name != REAUTH_REQUIRED and not _says_reauth(status):
            return None
        job = job_id(payload)
        said = "Mono: re-authorisation required" + (f" (job {job})" if job else "")
        return ReauthNeeded(
            event_id=str(event.get("event_id") or ""),
            account_id=account,
            at=str(event.get("received_at") or ""),
            reason=said,
        )

    def account_linked(self, event: dict[str, Any]) -> AccountLinked | None:
        """``mono.events.account_connected``: ``data.id``, ``data.customer``, and the
        reference the business passed when it started the linking."""
        payload = payload_of(event)
        account = account_id(payload)
        if event_name(payload) != ACCOUNT_CONNECTED or account is None:
            return None
        customer = _data(payload).get("customer")
        if isinstance(customer, dict):
            customer = customer.get("id") or customer.get("_id")
        return AccountLinked(
            event_id=str(event.get("event_id") or ""),
            account_id=account,
            customer_id=text(customer),
            at=str(event.get("received_at") or ""),
            reference=text(meta_of(payload).get("ref")),
        )


def _says_reauth(word: Any) -> bool:
    return isinstance(word, str) and word.strip().lower() in REAUTH_WORDS


def _data(payload: Mapping[str, Any]) -> dict[str, Any]:
    found = payload.get("data")
    return found if isinstance(found, dict) else {}
