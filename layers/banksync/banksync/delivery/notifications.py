"""What a subscriber is told when one of its refresh items ends, or when the
provider's push brings its customer's data.

The DataTable stream carries every item change; a change into a terminal
status of an item that belongs to a subscription with a webhook URL becomes
one delivery (its id derived from the item, so a replayed stream record makes
no second one) and its first attempt on the delivery queue. A pushed update
that is stored becomes one delivery per subscription that covers it.
"""

import json
from typing import Any

from banksync.clock import Clock, iso, utc_now
from banksync.delivery.model import Delivery, delivery_id_for
from banksync.delivery.pushed import covers, pushed_notification, thin
from banksync.delivery.queue import DeliveryQueue
from banksync.delivery.settings import DeliverySettings
from banksync.delivery.stops import why_stopped
from banksync.delivery.store import DeliveryStore
from banksync.observability import logger
from banksync.push.updates import PushedUpdate
from banksync.refresh.model import ItemStatus, RefreshItem
from banksync.subscriptions.models import Subscription
from banksync.subscriptions.store import SubscriptionStore


def notification(item: RefreshItem, subscription: Subscription, at: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "subscription_id": subscription.subscription_id,
        "provider": subscription.provider,
        "refresh_id": item.refresh_id,
        "customer": item.customer_id or subscription.customer,
        "account_id": item.account_id,
        "bank": subscription.bank,
        "product": item.product,
        "record": item.record_id,
        "status": str(item.status),
        "reason": item.reason,
        "started_at": item.started_at,
        "finished_at": item.finished_at,
    }
    if item.balance is not None:
        data["balance"] = item.balance
    if item.new_transactions is not None:
        data["transactions"] = {"new": item.new_transactions, "updated": item.updated_transactions}
    return {
        "type": f"{item.product}.{item.status}",
        "timestamp": at,
        "data": {key: value for key, value in data.items() if value is not None},
    }


class Notifier:
    def __init__(
        self,
        subscriptions: SubscriptionStore,
        deliveries: DeliveryStore,
        queue: DeliveryQueue,
        clock: Clock = utc_now,
    ) -> None:
        self.subscriptions, self.deliveries, self.queue = subscriptions, deliveries, queue
        self.clock = clock

    def on_change(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        """The delivery ids queued for this DataTable change (none for most)."""
        if new.get("kind") == "pushed_update":
            return self.on_pushed_update(old, new)
        queued = self.on_item_change(old, new)
        return [queued] if queued else []

    def on_item_change(self, old: dict[str, Any], new: dict[str, Any]) -> str | None:
        """The delivery id queued for this change, or None if it calls for none."""
        if not str(new.get("sk", "")).startswith("ITEM#") or not new.get("subscription_id"):
            return None
        if not ItemStatus(new["status"]).terminal or old.get("status") == new["status"]:
            return None
        item = RefreshItem.from_record(new)
        subscription = self.subscriptions.get(new["subscription_id"])
        if subscription is None or not subscription.webhook_url:
            return None
        at = iso(self.clock())
        body = notification(item, subscription, at)
        delivery_id = delivery_id_for(item.refresh_id, item.account_id, item.product)
        return self._queue(subscription, delivery_id, body, at)

    def on_pushed_update(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        """A pushed update stored: every subscription of its customer that covers its
        bank and product is told, as a refresh of its own would tell it."""
        if new.get("status") != "succeeded" or old.get("status") == new["status"]:
            return []
        update = PushedUpdate.from_record(new)
        if not update.customer_id or not update.account_id:
            return []
        at = iso(self.clock())
        queued = []
        for subscription in self.subscriptions.of_customer(update.customer_id):
            if not covers(subscription, update):
                continue
            body = pushed_notification(update, subscription, at)
            delivery_id = delivery_id_for(update.update_id, update.account_id, update.product)
            found = self._queue(subscription, delivery_id, body, at)
            queued += [found] if found else []
        return queued

    def _queue(
        self, subscription: Subscription, delivery_id: str, body: dict[str, Any], at: str
    ) -> str | None:
        if not subscription.webhook_url:
            return None
        if subscription.webhook_payload == "thin":
            body = thin(body)
        delivery = Delivery(
            subscription.subscription_id,
            delivery_id,
            body["type"],
            json.dumps(body, separators=(",", ":")),
            subscription.webhook_url,
            at,
        )
        stop = why_stopped(subscription)
        if stop:
            # Recorded, not sent (a paused subscription, a webhook turned off):
            # recovering the window once the subscription is resumed sends it.
            delivery.status, delivery.finished_at, delivery.reason = "abandoned", at, stop
            self.deliveries.create(delivery)
            return None
        if not self.deliveries.create(delivery):
            existing = self.deliveries.get(delivery.subscription_id, delivery.delivery_id)
            if existing is None or existing.attempt_count > 0:
                return None  # already under way
        # Queued after the record exists: a lost send is redone when the stream retries.
        self.queue.send(delivery.subscription_id, delivery.delivery_id, attempt=0)
        logger.info("notification queued", extra={"delivery_id": delivery.delivery_id})
        return delivery.delivery_id


def build_notifier(settings: DeliverySettings) -> Notifier:
    return Notifier(
        SubscriptionStore(settings.data_table_name),
        DeliveryStore(settings.data_table_name),
        DeliveryQueue(settings.delivery_queue_url),
    )
