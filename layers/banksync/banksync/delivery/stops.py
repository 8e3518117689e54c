"""A delivery follows its subscription: what stops it, and stopping a subscription's
pending deliveries at once.

A delivery is sent only while its subscription is active, has a ``webhook_url``
and an enabled webhook. Otherwise it ends ``abandoned`` with the reason and no
further attempt: when the subscription is paused or deleted (the API stops its
recent pending deliveries at once, the deliverer any other at its next attempt),
and when its webhook is turned off. Once the subscription is resumed, recovering
the window sends them again.
"""

from datetime import datetime, timedelta

from aws_lambda_powertools.metrics import MetricUnit

from banksync.clock import iso
from banksync.delivery.store import DeliveryStore
from banksync.observability import logger, metrics
from banksync.subscriptions.models import Subscription

PAUSED = "the subscription was paused"
DELETED = "the subscription was deleted"
NO_WEBHOOK = "the subscription no longer has a webhook_url"
# A delivery is pending within its chain's 150 minutes (``flow.GIVE_UP_AFTER``, which
# the API does not import: flow loads httpx), plus a margin for a first attempt the
# throttle held. Older ones pending again (replayed) are stopped by the deliverer.
RECENT = timedelta(minutes=150 + 30)
PAGE, MAX_PAGES = 100, 10


def why_stopped(subscription: Subscription | None) -> str | None:
    """Why nothing may be sent for this subscription now (None: it may be)."""
    if subscription is None:
        return DELETED
    if subscription.state == "paused":
        return PAUSED
    if not subscription.webhook_url:
        return NO_WEBHOOK
    if subscription.webhook_state != "enabled":
        why = subscription.webhook_disabled_reason or "turned off"
        return f"the subscription's webhook is {subscription.webhook_state}: {why}"
    return None


class PendingDeliveries:
    """The API's side: when a subscription is paused or deleted, its pending deliveries
    end at once, so that reading one shows why it will not be sent."""

    def __init__(self, deliveries: DeliveryStore) -> None:
        self.deliveries = deliveries

    def stop(self, subscription_id: str, change: str, at: datetime) -> int:
        """Stop the recent pending deliveries of a subscription ``paused`` or ``deleted``
        (``change``); how many were stopped."""
        reason = PAUSED if change == "paused" else DELETED
        stopped, token = 0, None
        since = iso(at - RECENT)
        for _ in range(MAX_PAGES):
            found, token = self.deliveries.page(subscription_id, "pending", since, PAGE, token)
            for delivery in found:
                stopped += self.deliveries.stop(delivery, reason, iso(at))
            if token is None:
                break
        if stopped:
            metrics.add_metric(name="WebhookAbandoned", unit=MetricUnit.Count, value=stopped)
        logger.info(
            "pending deliveries stopped",
            extra={"subscription_id": subscription_id, "stopped": stopped, "reason": reason},
        )
        return stopped
