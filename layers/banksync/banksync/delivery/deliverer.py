"""Delivering a notification exactly as Okra retries its own webhooks.

If the answer is not 2xx, or there is none within 10 s, try again one minute
later; stop at the first 2xx, or when 150 minutes have passed since the first
attempt. The waiting is the queue's (``DelaySeconds``): no Lambda ever sleeps.
Every attempt is recorded with its time, status code and latency.
"""

from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from banksync.clock import Clock, iso, utc_now
from banksync.delivery.model import Delivery, DeliveryStatus
from banksync.delivery.queue import RETRY_DELAY_SECONDS, DeliveryQueue
from banksync.delivery.sender import WebhookSender
from banksync.delivery.settings import DeliverySettings
from banksync.delivery.store import DeliveryStore
from banksync.observability import logger, metrics
from banksync.subscriptions.signing import SigningSecrets
from banksync.subscriptions.store import SubscriptionStore
from banksync.subscriptions.webhook_urls import checked_addresses

GIVE_UP_AFTER = timedelta(minutes=150)


class Deliverer:
    def __init__(
        self,
        deliveries: DeliveryStore,
        subscriptions: SubscriptionStore,
        secrets: SigningSecrets,
        queue: DeliveryQueue,
        sender: WebhookSender,
        allow_loopback_http: bool = False,
        clock: Clock = utc_now,
    ) -> None:
        self.deliveries, self.subscriptions, self.secrets = deliveries, subscriptions, secrets
        self.queue, self.sender = queue, sender
        self.allow_loopback_http = allow_loopback_http
        self.clock = clock

    def handle(self, message: dict[str, Any]) -> None:
        delivery = self.deliveries.get(message["subscription_id"], message["delivery_id"])
        if delivery is None or delivery.status != "pending":
            return
        if message.get("attempt") != delivery.attempt_count:
            return  # a duplicate of an attempt already made
        try:
            attempt = self._attempt(delivery)
        except Exception as error:
            # A URL the sender cannot use, a key that cannot be read: the attempt
            # is recorded and retried on the usual schedule, so the delivery ends
            # delivered or abandoned, never pending in a dead-letter queue.
            logger.exception("delivery attempt failed", extra={"delivery_id": delivery.delivery_id})
            attempt = {"at": iso(self.clock()), "error": f"{type(error).__name__}: {error}"[:300]}
        status = self._outcome(delivery, attempt)
        if not self.deliveries.record_attempt(delivery, attempt, status, iso(self.clock())):
            return  # another copy of this message recorded it first
        if status == "pending":
            self.queue.send(
                delivery.subscription_id,
                delivery.delivery_id,
                delivery.attempt_count + 1,
                delay=RETRY_DELAY_SECONDS,
            )
        else:
            metrics.add_metric(
                name="WebhookDelivered" if status == "delivered" else "WebhookAbandoned",
                unit=MetricUnit.Count,
                value=1,
            )
        logger.info(
            "delivery attempt",
            extra={
                "delivery_id": delivery.delivery_id,
                "attempt": delivery.attempt_count,
                "status_code": attempt.get("status_code"),
                "outcome": status,
            },
        )

    def _attempt(self, delivery: Delivery) -> dict[str, Any]:
        now = self.clock()
        subscription = self.subscriptions.get(delivery.subscription_id)
        if subscription is None or not subscription.signing_secret:
            return {"at": iso(now), "error": "the subscription no longer exists"}
        # Checked again at every attempt (DNS answers change), then pinned: the
        # POST goes to the address just checked, not to a fresh DNS answer.
        problem, addresses = checked_addresses(delivery.webhook_url, self.allow_loopback_http)
        if problem:
            return {"at": iso(now), "error": f"webhook_url {problem}"}
        secret = self.secrets.reveal(subscription.subscription_id, subscription.signing_secret)
        return self.sender.send(
            delivery.webhook_url,
            secret,
            delivery.delivery_id,
            delivery.payload,
            now,
            connect_to=addresses[0],
        )

    def _outcome(self, delivery: Delivery, attempt: dict[str, Any]) -> DeliveryStatus:
        if 200 <= int(attempt.get("status_code") or 0) < 300:
            return "delivered"
        if attempt.get("error") == "the subscription no longer exists":
            return "abandoned"
        first = datetime.fromisoformat(delivery.first_attempt_at or attempt["at"])
        next_attempt = self.clock() + timedelta(seconds=RETRY_DELAY_SECONDS)
        return "abandoned" if next_attempt - first > GIVE_UP_AFTER else "pending"


def build_deliverer(settings: DeliverySettings) -> Deliverer:
    return Deliverer(
        DeliveryStore(settings.data_table_name),
        SubscriptionStore(settings.data_table_name),
        SigningSecrets(settings.signing_key_id),
        DeliveryQueue(settings.delivery_queue_url),
        WebhookSender(),
        settings.allow_loopback_webhooks,
    )
