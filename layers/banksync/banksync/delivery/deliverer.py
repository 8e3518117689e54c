"""Delivering a notification exactly as Okra retries its own webhooks.

If the answer is not 2xx, or there is none within 10 s, try again one minute
later; stop at the first 2xx, or when 150 minutes have passed since the chain's
first attempt. The waiting is the queue's (``DelaySeconds``): no Lambda ever
sleeps. Every attempt is recorded with its time, status code (or error class)
and latency. What the receiver's answer asks for (``Retry-After``, 410, the stop
header) is in ``flow``; what a run of failures does to the endpoint, in ``health``.

A delivery follows its subscription: each attempt goes to the subscription's
current ``webhook_url``, signed with its current secrets, and a paused or deleted
subscription (or a webhook turned off) ends it without another attempt (``stops``).
The subscription is read at each attempt; within one batch (``batch``) it is read
once while its deliveries succeed, and again after any other outcome, which may
have changed its endpoint's health.
"""

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit

from banksync.aws_clients import LazyClient
from banksync.clock import Clock, iso, utc_now
from banksync.delivery.flow import Decision, decide
from banksync.delivery.health import EndpointHealth
from banksync.delivery.messages import next_was_lost, superseded_hold
from banksync.delivery.model import Delivery
from banksync.delivery.queue import MAX_DELAY_SECONDS, DeliveryQueue
from banksync.delivery.sender import WebhookSender
from banksync.delivery.settings import DeliverySettings
from banksync.delivery.stops import DELETED, why_stopped
from banksync.delivery.store import DeliveryStore
from banksync.delivery.windows import THROTTLE, WindowCounter
from banksync.observability import logger, metrics
from banksync.subscriptions.models import Subscription
from banksync.subscriptions.signing import SigningSecrets
from banksync.subscriptions.store import SubscriptionStore
from banksync.subscriptions.webhook_urls import checked_addresses

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
        self._seen: dict[str, Subscription | None] | None = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One batch of messages: a subscription read for one may serve the next."""
        self._seen = {}
        try:
            yield
        finally:
            self._seen = None

    def handle(self, message: dict[str, Any]) -> None:
        delivery = self.deliveries.get(message["subscription_id"], message["delivery_id"])
        if delivery is None or delivery.status != "pending":
            return
        now = self.clock()
        if message.get("attempt") != delivery.attempt_count:
            if next_was_lost(message, delivery, now):
                logger.warning(
                    "next attempt re-queued", extra={"delivery_id": delivery.delivery_id}
                )
                self._later(delivery, timedelta(0), None, due=delivery.next_attempt_at)
            return  # a duplicate of an attempt already made
        held = superseded_hold(message, delivery, now)
        if held:
            self._later(delivery, held, message.get("not_before"), due=message["due"])
            return

        subscription = self._subscription(delivery.subscription_id)
        stop = why_stopped(subscription)
        if stop or subscription is None:
            self._stop(delivery, stop or DELETED)
            return
        not_before = message.get("not_before")
        if not_before and datetime.fromisoformat(not_before) > now:
            self._later(delivery, datetime.fromisoformat(not_before) - now, not_before)
            return
        wait = self._throttled(subscription, now)
        if wait:
            self._later(delivery, timedelta(seconds=wait), not_before)
            return
        self._attempt_and_record(delivery, subscription, now)

    def _attempt_and_record(
        self, delivery: Delivery, subscription: Subscription, now: datetime
    ) -> None:
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
        if not (decision.status == "delivered" and not subscription.webhook_failing_since):
            self._forget(subscription.subscription_id)  # its health may have changed
        next_at = iso(decision.next_attempt_at) if decision.next_attempt_at else None
        url, at = str(subscription.webhook_url), iso(self.clock())
        recorded = self.deliveries.record_attempt(
            delivery, attempt, decision.status, at, decision.reason, next_at, url
        )
        if not recorded:
            # Stopped while the POST was under way: the attempt is still logged. Else
            # another copy of this message recorded it first.
            if self.deliveries.record_late_attempt(delivery, attempt, at, url):
                logger.info(
                    "attempt logged after a stop", extra={"delivery_id": delivery.delivery_id}
                )
            return
        if decision.next_attempt_at:
            until_next = decision.next_attempt_at - self.clock()
            self._later(delivery, until_next, next_at, delivery.attempt_count + 1, next_at)
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

    def _subscription(self, subscription_id: str) -> Subscription | None:
        if self._seen is not None and subscription_id in self._seen:
            return self._seen[subscription_id]
        found = self.subscriptions.get(subscription_id)
        if self._seen is not None:
            self._seen[subscription_id] = found
        return found

    def _forget(self, subscription_id: str) -> None:
        if self._seen is not None:
            self._seen.pop(subscription_id, None)

    def _stop(self, delivery: Delivery, reason: str) -> None:
        """End the delivery without an attempt: its subscription may not be sent to."""
        if self.deliveries.stop(delivery, reason, iso(self.clock())):
            metrics.add_metric(name=OUTCOME_METRICS["abandoned"], unit=MetricUnit.Count, value=1)
            logger.info(
                "delivery stopped", extra={"delivery_id": delivery.delivery_id, "reason": reason}
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

    def _throttled(self, subscription: Subscription, now: datetime) -> float:
        """Seconds to wait for the subscription's throttle (0: go now)."""
        rate = subscription.webhook_rate_per_second
        if not rate or self.windows is None:
            return 0.0
        return self.windows.take(subscription.subscription_id, THROTTLE, rate, now.timestamp())

    def _later(
        self,
        delivery: Delivery,
        wait: timedelta,
        not_before: str | None,
        attempt: int | None = None,
        due: str | None = None,
    ) -> None:
        """Queue the attempt again after ``wait`` (carrying ``not_before`` past SQS's
        15 minutes), for the delivery's ``due`` next attempt."""
        seconds = max(1, math.ceil(wait.total_seconds()))
        self.queue.send(
            delivery.subscription_id,
            delivery.delivery_id,
            delivery.attempt_count if attempt is None else attempt,
            delay=seconds,
            not_before=not_before if seconds > MAX_DELAY_SECONDS else None,
            due=due or delivery.next_attempt_at,
        )

    def _attempt(
        self, delivery: Delivery, subscription: Subscription, now: datetime
    ) -> dict[str, Any]:
        # To the subscription's URL now, wherever the delivery was first meant to go.
        url = str(subscription.webhook_url)
        # Checked again at every attempt (DNS answers change), then pinned: the
        # POST goes to the address just checked, not to a fresh DNS answer.
        problem, addresses = checked_addresses(url, self.allow_loopback_http)
        if problem:
            return {
                "at": iso(now),
                "error": f"webhook_url {problem}",
                "error_class": "unsafe_address",
            }
        return self.sender.send(
            url,
            self.secrets.of(subscription, now),
            delivery.delivery_id,
            delivery.payload,
            now,
            connect_to=addresses[0],
        )


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
