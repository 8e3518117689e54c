"""Okra's inbound webhooks read through the port's WebhookReader."""

from collections.abc import Mapping
from typing import Any

from banksync.okra.announcements import announcement_of, reauthorisation_of
from banksync.okra.webhooks import event_key, normalise
from banksync.provider.announcements import Announcement, IndexedWebhook, Reauthorised


class OkraWebhooks:
    def event_key(self, payload: Mapping[str, Any]) -> str:
        return event_key(payload)

    def indexed(self, payload: Mapping[str, Any]) -> IndexedWebhook:
        return normalise(payload)

    def announcement(self, event: dict[str, Any]) -> Announcement | None:
        return announcement_of(event)

    def reauthorisation(self, event: dict[str, Any]) -> Reauthorised | None:
        return reauthorisation_of(event)
