"""Replaying deliveries: one (``retry``), or every abandoned one in a window (``recover``).

A replay of a finished delivery opens a new chain of attempts on it, so it keeps
its id and every attempt's ``webhook-id``: a receiver that took it once can
de-duplicate. It goes to the subscription's current URL, with the current
secret, on the usual schedule (a minute apart, 150 minutes). A replay of a
pending delivery moves its next attempt forward to now, in the chain it is in:
the message that was waiting for the old time then stands down, so one attempt
is made, not two; replaying it again before that attempt changes nothing.
Replays are counted per subscription (``REPLAYS_PER_MINUTE``) so that an
operator's loop cannot flood a receiver that has just come back.
"""

import math
from datetime import datetime
from typing import Any

from banksync.api_errors import ApiError
from banksync.clock import Clock, iso, utc_now
from banksync.delivery.model import MAX_ATTEMPTS, Delivery
from banksync.delivery.queue import DeliveryQueue
from banksync.delivery.replay_store import ReplayStore
from banksync.delivery.windows import REPLAYS, WindowCounter
from banksync.observability import logger
from banksync.subscriptions.models import Subscription
from banksync.subscriptions.store import SubscriptionStore

# One recover call re-queues at most this many, reading at most MAX_PAGES pages;
# "more" says to call again (what was re-queued is no longer abandoned).
MAX_RECOVERED = 100
MAX_PAGES = 10


class Replays:
    def __init__(
        self,
        deliveries: ReplayStore,
        subscriptions: SubscriptionStore,
        queue: DeliveryQueue,
        windows: WindowCounter,
        per_minute: int,
        clock: Clock = utc_now,
    ) -> None:
        self.deliveries, self.subscriptions, self.queue = deliveries, subscriptions, queue
        self.windows, self.per_minute, self.clock = windows, per_minute, clock

    def retry(self, delivery_id: str) -> dict[str, Any]:
        delivery = self.deliveries.find(delivery_id)
        if delivery is None:
            raise ApiError(
                404, "not_found", f"no delivery {delivery_id}", {"delivery_id": "unknown"}
            )
        subscription = self._sending(delivery.subscription_id)
        if delivery.status == "pending":
            return self._hasten(delivery)
        if delivery.attempt_count >= MAX_ATTEMPTS:
            raise ApiError(
                409,
                "too_many_attempts",
                f"delivery {delivery_id} has been attempted {delivery.attempt_count} times",
                {"delivery_id": f"at most {MAX_ATTEMPTS} attempts are kept"},
            )
        self._count(subscription.subscription_id)
        if not self._reopen(delivery, subscription):
            raise _changed(delivery_id)
        return _queued(delivery, delivery.chain + 1, iso(self.clock()))

    def recover(self, subscription_id: str, since: str, until: str | None) -> dict[str, Any]:
        subscription = self._sending(subscription_id)
        self._count(subscription_id)
        queued, token, pages = 0, None, 0
        more = False
        while pages < MAX_PAGES:
            found, token = self.deliveries.page(
                subscription_id, "abandoned", since, MAX_RECOVERED, token, until
            )
            pages += 1
            for delivery in found:
                if queued >= MAX_RECOVERED:
                    more = True
                    break
                if delivery.attempt_count < MAX_ATTEMPTS and self._reopen(delivery, subscription):
                    queued += 1
            if more or token is None:
                break
        more = more or token is not None
        logger.info(
            "deliveries recovered", extra={"subscription_id": subscription_id, "queued": queued}
        )
        answer: dict[str, Any] = {
            "subscription_id": subscription_id,
            "since": since,
            "queued": queued,
            "more": more,
        }
        if until:
            answer["until"] = until
        return answer

    def _sending(self, subscription_id: str) -> Subscription:
        """The subscription, if its webhook can be sent to now."""
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            raise ApiError(
                404,
                "not_found",
                f"no subscription {subscription_id}",
                {"subscription_id": "unknown"},
            )
        if not subscription.webhook_url:
            raise ApiError(
                409,
                "no_webhook",
                f"subscription {subscription_id} has no webhook_url",
                {"webhook_url": "the subscription has none; set one first"},
            )
        if subscription.state == "paused":
            raise ApiError(
                409,
                "subscription_paused",
                f"subscription {subscription_id} is paused",
                {"subscription_id": "paused; resume the subscription first"},
            )
        if subscription.webhook_state != "enabled":
            raise ApiError(
                409,
                "webhook_disabled",
                f"the webhook of {subscription_id} is {subscription.webhook_state}",
                {
                    "subscription_id": (
                        f"webhook {subscription.webhook_state} "
                        f"({subscription.webhook_disabled_reason}); resume the subscription first"
                    )
                },
            )
        return subscription

    def _count(self, subscription_id: str) -> None:
        wait = self.windows.take(
            subscription_id, REPLAYS, self.per_minute, self.clock().timestamp()
        )
        if wait:
            raise ApiError(
                429,
                "rate_limited",
                f"at most {self.per_minute} replays a minute for one subscription",
                {"subscription_id": f"replayed {self.per_minute} times this minute"},
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )

    def _hasten(self, delivery: Delivery) -> dict[str, Any]:
        """A pending delivery's next attempt, now: moved forward, with a message of its
        own; one already due (its message on the queue) is left as it is."""
        now = self.clock()
        due = delivery.next_attempt_at
        if due is None or datetime.fromisoformat(due) <= now:
            return _queued(delivery, delivery.chain, due or iso(now))
        self._count(delivery.subscription_id)
        at = iso(now)
        if not self.deliveries.hasten(delivery, at):
            raise _changed(delivery.delivery_id)
        try:
            self.queue.send(
                delivery.subscription_id, delivery.delivery_id, delivery.attempt_count, due=at
            )
        except Exception:
            # Due as it was again, so that the message waiting for that time still counts.
            self.deliveries.unhasten(delivery, at)
            logger.exception("replay not queued", extra={"delivery_id": delivery.delivery_id})
            raise ApiError(503, "unavailable", "the replay could not be queued; retry") from None
        logger.info("pending delivery hastened", extra={"delivery_id": delivery.delivery_id})
        return _queued(delivery, delivery.chain, at)

    def _reopen(self, delivery: Delivery, subscription: Subscription) -> bool:
        url = str(subscription.webhook_url)
        if not self.deliveries.reopen(delivery, url, iso(self.clock())):
            return False
        try:
            self.queue.send(delivery.subscription_id, delivery.delivery_id, delivery.attempt_count)
        except Exception:
            # Closed again as it was, so that a retry of this request can reopen it.
            self.deliveries.close_again(delivery)
            logger.exception("replay not queued", extra={"delivery_id": delivery.delivery_id})
            raise ApiError(503, "unavailable", "the replay could not be queued; retry") from None
        return True


def _queued(delivery: Delivery, chain: int, next_attempt_at: str) -> dict[str, Any]:
    return {
        "delivery_id": delivery.delivery_id,
        "subscription_id": delivery.subscription_id,
        "queued": 1,
        "status": "pending",
        "chain": chain,
        "next_attempt_at": next_attempt_at,
    }


def _changed(delivery_id: str) -> ApiError:
    return ApiError(
        409,
        "conflict",
        f"delivery {delivery_id} changed meanwhile; read it and retry",
        {"delivery_id": "changed meanwhile"},
    )
