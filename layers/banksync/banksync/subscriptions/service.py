"""Creating, replacing, pausing, resuming and deleting subscriptions with their schedules.

The subscription item and its schedule must never disagree for long. Each
change moves the schedule first and the item second; if the item write fails,
the schedule is brought back in line with whatever item is stored *now*
(``reconcile``), so that a concurrent writer's change is never undone. What
that cannot fix (the process dies in between) is repaired when the schedule
next fires, and by the daily repair (``repair_page``, then
``remove_orphans_page``, a page per message), which also catches a schedule
that is disabled or missing and so would never fire.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from banksync.api_errors import ApiError
from banksync.clock import Clock, iso, utc_now
from banksync.observability import logger
from banksync.provider.settings import switched_on
from banksync.subscriptions.models import Subscription, SubscriptionState, subscription_id_for
from banksync.subscriptions.schedules import SubscriptionSchedules
from banksync.subscriptions.signing import SigningSecrets
from banksync.subscriptions.store import OverlapError, SubscriptionStore, VersionConflictError

# Passes of reconcile before it leaves the rest to the next firing and the daily repair.
SETTLE_PASSES = 5
# What stops a subscription's pending deliveries: (subscription id, "paused" or
# "deleted", when).
Halt = Callable[[str, str, datetime], object]

if TYPE_CHECKING:  # pydantic stays off the batcher's cold start; only the API parses bodies
    from banksync.subscriptions.body import SubscriptionBody


@dataclass(frozen=True)
class Saved:
    subscription: Subscription
    created: bool
    signing_secret: str | None  # shown once, when the subscription is created


class SubscriptionService:
    def __init__(
        self,
        store: SubscriptionStore,
        schedules: SubscriptionSchedules,
        secrets: SigningSecrets | None,
        clock: Clock = utc_now,
        halt: Halt | None = None,
    ) -> None:
        self.store, self.schedules, self.secrets = store, schedules, secrets
        self.clock, self.halt = clock, halt

    def put(self, body: "SubscriptionBody") -> Saved:
        if body.provider not in switched_on():
            raise ApiError(
                422,
                "provider_off",
                f"provider {body.provider} is not switched on in this stack",
                {"provider": "not switched on (the stack's Providers parameter)"},
            )
        subscription_id = subscription_id_for(body.customer, body.bank, body.provider)
        previous = self.store.get(subscription_id)
        self._refuse_overlap(body, subscription_id)
        now = iso(self.clock())
        secret = None
        if previous:
            wanted = replace(
                previous,
                products=[str(p) for p in body.products],
                interval=body.interval,
                webhook_url=body.webhook_url,
                webhook_rate_per_second=body.webhook_rate_per_second,
                webhook_payload=body.webhook_payload,
                updated_at=now,
                version=previous.version + 1,
            )
        else:
            if self.secrets is None:
                raise RuntimeError("this service was built without signing secrets")
            secret, ciphertext = self.secrets.new(subscription_id)
            wanted = Subscription(
                subscription_id,
                body.customer,
                list(body.products),
                body.interval,
                now,
                now,
                bank=body.bank,
                webhook_url=body.webhook_url,
                webhook_rate_per_second=body.webhook_rate_per_second,
                webhook_payload=body.webhook_payload,
                signing_secret=ciphertext,
                provider=body.provider,
            )
        self._apply(wanted, previous)
        return Saved(wanted, created=previous is None, signing_secret=secret)

    def get(self, subscription_id: str) -> Subscription:
        subscription = self.store.get(subscription_id)
        if subscription is None:
            raise ApiError(
                404,
                "not_found",
                f"no subscription {subscription_id}",
                {"subscription_id": "unknown"},
            )
        return subscription

    def set_state(self, subscription_id: str, state: SubscriptionState) -> Subscription:
        """Pause or resume; resuming also turns a disabled or failing webhook back on.
        A pause (even of a paused one) stops the pending deliveries."""
        previous = self.get(subscription_id)
        webhook_on = state == "active" and previous.webhook_state != "enabled"
        if previous.state == state and not webhook_on:
            if state == "paused":
                self._halt(subscription_id, "paused")
            return previous
        wanted = replace(
            previous, state=state, updated_at=iso(self.clock()), version=previous.version + 1
        )
        if webhook_on:
            wanted = replace(
                wanted,
                webhook_state="enabled",
                webhook_disabled_reason=None,
                webhook_disabled_at=None,
                webhook_failing_since=None,
            )
        self._apply(wanted, previous)
        if state == "paused":
            self._halt(subscription_id, "paused")
        return wanted

    def rotate_secret(self, subscription_id: str, overlap: timedelta) -> tuple[Subscription, str]:
        """A new signing secret; for ``overlap`` deliveries carry the old one's signature too.

        A rotation during another's overlap keeps the secret being replaced (the
        newest old one), so one rotation at a time is what subscribers follow.
        """
        if self.secrets is None:
            raise RuntimeError("this service was built without signing secrets")
        previous = self.get(subscription_id)
        now = self.clock()
        secret, ciphertext = self.secrets.new(subscription_id)
        overlapping = overlap.total_seconds() > 0 and previous.signing_secret is not None
        wanted = replace(
            previous,
            signing_secret=ciphertext,
            previous_signing_secret=previous.signing_secret if overlapping else None,
            previous_secret_expires_at=iso(now + overlap) if overlapping else None,
            updated_at=iso(now),
            version=previous.version + 1,
        )
        try:
            self.store.save(wanted, previous.version)
        except Exception as error:
            raise _storage_error(error) from None
        logger.info("signing secret rotated", extra={"subscription_id": subscription_id})
        return wanted, secret

    def delete(self, subscription_id: str) -> None:
        subscription = self.get(subscription_id)
        self.schedules.delete(subscription_id)
        try:
            self.store.delete(subscription)
        except Exception as error:
            self.reconcile(subscription_id)
            raise _storage_error(error) from None
        self.reconcile(subscription_id)
        self._halt(subscription_id, "deleted")

    def _halt(self, subscription_id: str, change: str) -> None:
        """Its pending deliveries stopped now; any left (the write failed, a replayed old
        one) the deliverer stops at its next attempt, so the change stands either way."""
        if self.halt is None:
            return
        try:
            self.halt(subscription_id, change, self.clock())
        except Exception:
            logger.exception(
                "pending deliveries not stopped", extra={"subscription_id": subscription_id}
            )

    def page(
        self,
        customer: str | None,
        limit: int,
        next_token: str | None,
        webhook_state: str | None = None,
    ) -> tuple[list[Subscription], str | None]:
        return self.store.page(customer, limit, next_token, webhook_state)

    def reconcile(self, subscription_id: str) -> Subscription | None:
        """Make the schedule match the stored subscription; returns it (None: none stored).

        Schedules have no conditional writes, so a schedule written from a read that a
        concurrent change (a pause) has since overtaken could outlive that change. Every
        schedule written here is followed by a fresh read of the subscription, and by
        another pass if it changed meanwhile; every change ends with this call after its
        own write. So the last schedule written is always one for the last subscription
        stored, however the writers interleave.
        """
        subscription = self.store.get(subscription_id)
        for _ in range(SETTLE_PASSES):
            if subscription is None:
                self.schedules.delete(subscription_id)
            elif not self.schedules.matches(subscription):
                logger.warning("schedule repaired", extra={"subscription_id": subscription_id})
                self.schedules.put(subscription)
            else:
                return subscription  # nothing written: nothing to check again
            again = self.store.get(subscription_id)
            if _same(again, subscription):
                return again
            subscription = again
        logger.warning("schedule still settling", extra={"subscription_id": subscription_id})
        return subscription

    def repair_page(self, token: str | None, size: int = 100) -> str | None:
        """One page of subscriptions checked against their schedules; the next page's token."""
        page, next_token = self.store.page(None, size, token)
        repaired = 0
        for subscription in page:
            if not self.schedules.matches(subscription):
                self.schedules.put(subscription)
                repaired += 1
        if repaired:
            logger.warning("schedules repaired", extra={"repaired": repaired})
        return next_token

    def remove_orphans_page(self, token: str | None) -> str | None:
        """One page of schedules: those whose subscription is gone are deleted."""
        names, next_token = self.schedules.subscription_schedules_page(token)
        for name in names:
            if self.store.get(name) is None:
                self.schedules.delete(name)
                logger.warning("orphan schedule deleted", extra={"schedule": name})
        return next_token

    def _apply(self, wanted: Subscription, previous: Subscription | None) -> None:
        wanted.schedule = self.schedules.put(wanted)
        try:
            self.store.save(wanted, previous.version if previous else None)
        except Exception as error:
            self.reconcile(wanted.subscription_id)
            raise _storage_error(error) from None
        self.reconcile(wanted.subscription_id)  # a reconciler may have read before the save

    def _refuse_overlap(self, body: "SubscriptionBody", subscription_id: str) -> None:
        """One customer's account must not be refreshed by two subscriptions."""
        others = [
            s
            for s in self.store.of_customer(body.customer)
            if s.subscription_id != subscription_id and s.provider == body.provider
        ]
        clash = [s for s in others if body.bank is None or s.bank is None]
        if clash:
            scope = "all banks" if body.bank is None else f"bank {body.bank}"
            raise ApiError(
                409,
                "conflict",
                f"customer {body.customer} already has a subscription covering {scope}",
                {"bank": f"overlaps {', '.join(s.subscription_id for s in clash)}"},
            )


def _same(one: Subscription | None, other: Subscription | None) -> bool:
    if one is None or other is None:
        return one is other
    return (one.version, one.updated_at) == (other.version, other.updated_at)


def _storage_error(error: Exception) -> ApiError:
    if isinstance(error, OverlapError):
        return ApiError(
            409,
            "conflict",
            "another subscription of this customer covers these banks (created meanwhile)",
            {"bank": "overlaps another subscription of this customer"},
        )
    if isinstance(error, VersionConflictError):
        return ApiError(409, "conflict", "the subscription changed meanwhile; read it and retry")
    logger.exception("subscription write failed; schedule restored")
    return ApiError(503, "unavailable", "the subscription could not be saved; retry")


def public_view(saved: Saved) -> dict[str, Any]:
    view = saved.subscription.public()
    if saved.signing_secret:
        view["signing_secret"] = saved.signing_secret
    return view
