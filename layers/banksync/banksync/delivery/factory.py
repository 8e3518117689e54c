"""Wiring the notifier and the deliverer to their real clients."""

from banksync.delivery.deliverer import Deliverer
from banksync.delivery.notifications import Notifier
from banksync.delivery.queue import DeliveryQueue
from banksync.delivery.sender import WebhookSender
from banksync.delivery.settings import DeliverySettings
from banksync.delivery.store import DeliveryStore
from banksync.subscriptions.signing import SigningSecrets
from banksync.subscriptions.store import SubscriptionStore


def build_notifier(settings: DeliverySettings) -> Notifier:
    return Notifier(
        SubscriptionStore(settings.data_table_name),
        DeliveryStore(settings.data_table_name),
        DeliveryQueue(settings.delivery_queue_url),
    )


def build_deliverer(settings: DeliverySettings) -> Deliverer:
    return Deliverer(
        DeliveryStore(settings.data_table_name),
        SubscriptionStore(settings.data_table_name),
        SigningSecrets(settings.signing_key_id),
        DeliveryQueue(settings.delivery_queue_url),
        WebhookSender(),
        settings.allow_loopback_webhooks,
    )
