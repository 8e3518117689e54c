"""Endpoint health: a subscriber's endpoint that failed every attempt for too long
(``WEBHOOK_FAILING_AFTER_HOURS``, default 5 days) is marked ``failing`` and its
webhook turned off, as is one that answered 410 Gone (``disabled``). Resuming the
subscription turns it back on.

The subscription records when the endpoint's failures began
(``webhook_failing_since``: the first failed attempt since its last 2xx); it is
written only when that changes, not on every attempt.
"""

from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from banksync.clock import iso
from banksync.delivery.flow import Decision, endpoint_failed
from banksync.observability import logger, metrics
from banksync.subscriptions.models import Subscription
from banksync.subscriptions.store import SubscriptionStore

DEFAULT_FAILING_AFTER = timedelta(days=5)
TURNED_OFF_METRICS = {"disabled": "WebhookEndpointGone", "failing": "WebhookEndpointFailing"}


class EndpointHealth:
    def __init__(
        self, subscriptions: SubscriptionStore, failing_after: timedelta = DEFAULT_FAILING_AFTER
    ) -> None:
        self.subscriptions, self.failing_after = subscriptions, failing_after

    def after_attempt(
        self,
        subscription: Subscription | None,
        attempt: dict[str, Any],
        decision: Decision,
        now: datetime,
    ) -> str | None:
        """Why the subscription's webhook was turned off by this attempt, or None."""
        if subscription is None or subscription.webhook_state != "enabled":
            return None
        sid = subscription.subscription_id
        if decision.disable_webhook:
            return self._turn_off(sid, "disabled", decision.disable_webhook, now)
        if decision.status == "delivered":
            if subscription.webhook_failing_since:
                self.subscriptions.note_webhook_success(sid)
            return None
        if not endpoint_failed(attempt):
            return None
        since = subscription.webhook_failing_since
        if since is None:
            self.subscriptions.note_webhook_failure(sid, attempt["at"])
            return None
        if now - datetime.fromisoformat(since) < self.failing_after:
            return None
        hours = self.failing_after.total_seconds() / 3600
        why = f"every attempt failed since {since} (over {hours:g} h)"
        return self._turn_off(sid, "failing", why, now)

    def _turn_off(self, sid: str, state: str, why: str, now: datetime) -> str:
        if self.subscriptions.set_webhook_state(sid, state, why, iso(now)):
            metrics.add_metric(name=TURNED_OFF_METRICS[state], unit=MetricUnit.Count, value=1)
            logger.warning(
                "webhook turned off", extra={"subscription_id": sid, "webhook_state": state}
            )
        return f"the subscription's webhook is {state}: {why}"
