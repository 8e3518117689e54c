"""The daily message, and the chains of messages it starts on the due-work queue.

``{"kind": "all_accounts"}`` (the DailyRefreshSchedule) begins a sweep (see
``banksync.sweep.pages``) and the schedule repair; both then go on a page per
message, so that neither 100,000 accounts nor 10,000 subscriptions must fit
in one invocation, and a page that fails is retried alone by the queue.
"""

import hashlib
from typing import Any

from banksync.observability import logger
from banksync.subscriptions.service import SubscriptionService
from banksync.sweep.pages import SweepLauncher, SweepPager, SweepQueue

DAILY_KINDS = frozenset({"all_accounts", "sweep_page", "schedule_repair"})


def sweep_id_for(message_id: str) -> str:
    """The schedule's message, redelivered, names the same sweep: it begins once."""
    return f"sw_{hashlib.sha256(message_id.encode()).hexdigest()[:20]}"


class DailyWork:
    def __init__(
        self,
        launcher: SweepLauncher,
        pager: SweepPager,
        subscriptions: SubscriptionService,
        queue: SweepQueue,
    ) -> None:
        self.launcher, self.pager = launcher, pager
        self.subscriptions, self.queue = subscriptions, queue

    def handle(self, message_id: str, message: dict[str, Any]) -> None:
        kind = message.get("kind")
        if kind == "all_accounts":
            if not self.launcher.launch(sweep_id_for(message_id), "schedule"):
                logger.warning("a sweep is still queueing: today's is not begun")
            self.queue.send({"kind": "schedule_repair", "stage": "subscriptions"})
        elif kind == "sweep_page":
            self.pager.run_page(message)
        elif kind == "schedule_repair":
            self._repair(message)
        else:
            raise ValueError(f"not daily work: {kind!r}")

    def _repair(self, message: dict[str, Any]) -> None:
        token = message.get("token") if isinstance(message.get("token"), str) else None
        following: dict[str, Any] | None
        if message.get("stage") == "orphans":
            token = self.subscriptions.remove_orphans_page(token)
            following = {"stage": "orphans", "token": token} if token else None
        else:
            token = self.subscriptions.repair_page(token)
            following = (
                {"stage": "subscriptions", "token": token} if token else {"stage": "orphans"}
            )
        if following:
            self.queue.send({"kind": "schedule_repair", **following})
