"""Okra's inbound webhooks read through the port's WebhookReader."""

from collections.abc import Mapping
from typing import Any

from banksync.okra.announcements import announcement_of, reauthorisation_of
from banksync.okra.webhooks import event_key, normalise
from banksync.provider.announcements import (
    AccountLinked,
    Announcement,
    IndexedWebhook,
    ReauthNeeded,
    Reauthorised,
    WebhookCredential,
)


class OkraWebhooks:
    # Okra does not sign webhooks: its dashboard sends a static bearer token.
    credential = WebhookCredential("authorization", bearer=True)

    def event_key(self, payload: Mapping[str, Any]) -> str:
        return event_key(payload)

    def indexed(self, payload: Mapping[str, Any]) -> IndexedWebhook:
        return normalise(payload)

    def announcements(self, event: dict[str, Any]) -> tuple[Announcement, ...]:
        news = announcement_of(event)
        return (news,) if news is not None else ()

    def reauthorisation(self, event: dict[str, Any]) -> Reauthorised | None:
        return reauthorisation_of(event)

    def reauth_needed(self, event: dict[str, Any]) -> ReauthNeeded | None:
        # Okra says so in a refresh's answer, never in a webhook of its own.
        return None

    def account_linked(self, event: dict[str, Any]) -> AccountLinked | None:
        # Okra's accounts are learned by customer (accounts_by_customer).
        return None
