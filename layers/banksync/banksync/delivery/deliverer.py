"""Delivering a notification exactly as Okra retries its own webhooks.

If the answer is not 2xx, or there is none within 10 s, try again one minute
later; stop at the first 2xx, or when 150 minutes have passed since the chain's
first attempt. The waiting is the queue's (``DelaySeconds``): no Lambda ever
sleeps. Every attempt is recorded with its time, status code (or error class)
and latency. What the receiver's answer asks for (``Retry-After``, 410, the stop
header) is in ``flow``; what a run of failures does to the endpoint, in ``health``.
"""

import math
from datetime import datetime, timedelta
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit

from banksync.aws_clients import LazyClient
from banksync.clock import Clock, iso, utc_now
from banksync.delivery.flow import Decision, decide
from banksync.delivery.health import EndpointHealth
from banksync.delivery.model import Delivery
from banksync.delivery.queue import MAX_DELAY_SECONDS, DeliveryQueue
from banksync.delivery.sender import WebhookSender
from banksync.delivery.settings import DeliverySettings
from banksync.delivery.store import DeliveryStore
from banksync.delivery.windows import THROTTLE, WindowCounter
from banksync.observability import logger, metrics
from banksync.subscriptions.models import Subscription
from banksync.subscriptions.signing import SigningSecrets
from banksync.subscriptions.store import SubscriptionStore
from banksync.subscriptions.webhook_urls import checked_addresses

# The attempt's own message comes back after the queue's visibility timeout (360 s),
# past the next attempt's minute: that late, a next attempt that existed was made.
LOST_AFTER = timedelta(minutes=4)
OUTCOME_METRICS = {
    "delivered": "WebhookDelivered",
    "abandoned": "WebhookAbandoned",
    "stopped": "WebhookStopped",
}


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
        windows: WindowCounter | None = None,
        health: EndpointHealth | None = None,
    ) -> None:
        self.deliveries, self.subscriptions, self.secrets = deliveries, subscriptions, secrets
        self.queue, self.sender = queue, sender
        self.allow_loopback_http = allow_loopback_http
        self.clock = clock
        self.windows = windows
        self.health = health or EndpointHealth(subscriptions)

    def handle(self, message: dict[str, Any]) -> None:
        delivery = self.deliveries.get(message["subscription_id"], message["delivery_id"])
        if delivery is None or delivery.status != "pending":
            return
        now = self.clock()
        if message.get("attempt") != delivery.attempt_count:
            if self._next_was_lost(message, delivery, now):
                logger.warning(
                    "next attempt re-queued", extra={"delivery_id": delivery.delivery_id}
                )
                self._later(delivery, timedelta(0), None)
            return  # a duplicate of an attempt already made

        due = message.get("not_before")
        if due and datetime.fromisoformat(due) > now:
            self._later(delivery, datetime.fromisoformat(due) - now, due)
            return
        subscription = self.subscriptions.get(delivery.subscription_id)
        wait = self._throttled(subscription, now)
        if wait:
            self._later(delivery, timedelta(seconds=wait), due)
            return
        try:
            attempt = self._attempt(delivery, subscription, now)
        except Exception as error:
            # A URL the sender cannot use, a key that cannot be read: the attempt
            # is recorded and retried on the usual schedule, so the delivery ends
            # delivered or abandoned, never pending in a dead-letter queue.
            logger.exception("delivery attempt failed", extra={"delivery_id": delivery.delivery_id})
            attempt = {
                "at": iso(now),
                "error": f"{type(error).__name__}: {error}"[:300],
                "error_class": "internal",
            }
        attempt["chain"] = delivery.chain
        decision = self._decide(delivery, subscription, attempt)
        next_at = iso(decision.next_attempt_at) if decision.next_attempt_at else None
        recorded = self.deliveries.record_attempt(
            delivery, attempt, decision.status, iso(self.clock()), decision.reason, next_at
        )
        if not recorded:
            return  # another copy of this message recorded it first
        if decision.next_attempt_at:
            until_next = decision.next_attempt_at - self.clock()
            self._later(delivery, until_next, next_at, attempt=delivery.attempt_count + 1)
        else:
            metrics.add_metric(
                name=OUTCOME_METRICS[decision.status], unit=MetricUnit.Count, value=1
            )
        logger.info(
            "delivery attempt",
            extra={
                "delivery_id": delivery.delivery_id,
                "attempt": delivery.attempt_count,
                "status_code": attempt.get("status_code"),
                "error_class": attempt.get("error_class"),
                "outcome": decision.status,
            },
        )

    def _next_was_lost(self, message: dict[str, Any], delivery: Delivery, now: datetime) -> bool:
        """The message of the attempt just recorded came back (its Lambda failed after the
        record, before or while queueing the next), and the next attempt is long overdue:
        it was never queued. A copy that merely came twice finds the next one not due yet,
        or already made."""
        due = delivery.next_attempt_at
        return (
            message.get("attempt") == delivery.attempt_count - 1
            and due is not None
            and now - datetime.fromisoformat(due) >= LOST_AFTER
        )

    def _decide(
        self, delivery: Delivery, subscription: Subscription | None, attempt: dict[str, Any]
    ) -> Decision:
        # A delivery recorded before chains had windows counts from its first attempt.
        started = delivery.window_started_at or (
            delivery.first_attempt_at if delivery.chain == 1 else None
        )
        window = datetime.fromisoformat(started or attempt["at"])
        decision = decide(attempt, window, self.clock())
        turned_off = self.health.after_attempt(subscription, attempt, decision, self.clock())
        if turned_off and decision.status == "pending":
            return Decision("abandoned", turned_off)
        return decision

    def _throttled(self, subscription: Subscription | None, now: datetime) -> float:
        """Seconds to wait for the subscription's throttle (0: go now)."""
        rate = subscription.webhook_rate_per_second if subscription else None
        if not rate or self.windows is None or subscription is None:
            return 0.0
        return self.windows.take(subscription.subscription_id, THROTTLE, rate, now.timestamp())

    def _later(
        self, delivery: Delivery, wait: timedelta, due: str | None, attempt: int | None = None
    ) -> None:
        """Queue the attempt again after ``wait`` (carrying ``due`` past SQS's 15 minutes)."""
        seconds = max(1, math.ceil(wait.total_seconds()))
        self.queue.send(
            delivery.subscription_id,
            delivery.delivery_id,
            delivery.attempt_count if attempt is None else attempt,
            delay=seconds,
            not_before=due if seconds > MAX_DELAY_SECONDS else None,
        )

    def _attempt(
        self, delivery: Delivery, subscription: Subscription | None, now: datetime
    ) -> dict[str, Any]:
        if subscription is None or not subscription.signing_secret:
            return {
                "at": iso(now),
                "error": "the subscription no longer exists",
                "error_class": "subscription_gone",
            }
        if subscription.webhook_state != "enabled":
            why = subscription.webhook_disabled_reason or "turned off"
            return {
                "at": iso(now),
                "error": f"the subscription's webhook is {subscription.webhook_state}: {why}",
                "error_class": "webhook_disabled",
            }
        # Checked again at every attempt (DNS answers change), then pinned: the
        # POST goes to the address just checked, not to a fresh DNS answer.
        problem, addresses = checked_addresses(delivery.webhook_url, self.allow_loopback_http)
        if problem:
            return {
                "at": iso(now),
                "error": f"webhook_url {problem}",
                "error_class": "unsafe_address",
            }
        return self.sender.send(
            delivery.webhook_url,
            self._secrets(subscription, now),
            delivery.delivery_id,
            delivery.payload,
            now,
            connect_to=addresses[0],
        )

    def _secrets(self, subscription: Subscription, now: datetime) -> list[str]:
        """The current secret, and during a rotation's overlap the previous one too."""
        sid = subscription.subscription_id
        secrets = [self.secrets.reveal(sid, str(subscription.signing_secret))]
        expires = subscription.previous_secret_expires_at
        if (
            subscription.previous_signing_secret
            and expires
            and now < datetime.fromisoformat(expires)
        ):
            secrets.append(self.secrets.reveal(sid, subscription.previous_signing_secret))
        return secrets


def build_deliverer(settings: DeliverySettings) -> Deliverer:
    # One DynamoDB client for every store. KMS is made at start: every message is
    # signed. SQS only carries a retry, so it is made on first use.
    dynamodb = boto3.client("dynamodb")
    subscriptions = SubscriptionStore(settings.data_table_name, dynamodb)
    return Deliverer(
        DeliveryStore(settings.data_table_name, dynamodb),
        subscriptions,
        SigningSecrets(settings.signing_key_id),
        DeliveryQueue(settings.delivery_queue_url, LazyClient("sqs")),
        WebhookSender(),
        settings.allow_loopback_webhooks,
        windows=WindowCounter(settings.data_table_name, dynamodb),
        health=EndpointHealth(subscriptions, timedelta(hours=settings.webhook_failing_after_hours)),
    )
