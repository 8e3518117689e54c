"""The refresh workflow's three tasks: start a batch, poll its callbacks, abort it.

State lives in the DataTable (the run and one record per item), so every task
is safe to retry: a started item is never started again, and a finished item
is never touched again. The state machine carries only a Progress summary.
"""

import math
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import BotoCoreError, ClientError

from banksync.clock import Clock, iso, utc_now
from banksync.observability import logger, metrics
from banksync.okra.errors import (
    BudgetExhaustedError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitedError,
)
from banksync.refresh.model import ItemStatus, Progress, RefreshItem, RefreshRun, RunStatus
from banksync.refresh.pacing import (
    Round,
    asks,
    budget_cut,
    calls_left,
    item_deadline,
    overdue,
    passed,
    resume_point,
    round_order,
    round_wait,
)
from banksync.refresh.request import StartRequest, parse_priority
from banksync.refresh.runs import RefreshRunStore
from banksync.refresh.settings import WorkflowSettings
from banksync.refresh.steps import ItemSteps
from banksync.refresh.summary import count_by_status, error_summary
from banksync.refresh.wake import WakeSignals

# Stop calling the provider when a task has less than this left, so that one
# slow round ends as a short round instead of a Lambda timeout.
TIME_RESERVE_MS = 20_000
# AWS errors inside a step are transient: the item is retried like a 503.
TRANSIENT_ERRORS = (ProviderUnavailableError, ClientError, BotoCoreError, GetParameterError)
Remaining = Callable[[], int]

FINISHED_METRICS = {
    ItemStatus.SUCCEEDED: "RefreshItemSucceeded",
    ItemStatus.FAILED: "RefreshItemFailed",
    ItemStatus.REAUTH_REQUIRED: "RefreshItemReauthRequired",
    ItemStatus.TIMED_OUT: "RefreshItemTimedOut",
}


class RefreshWorkflow:
    def __init__(
        self,
        runs: RefreshRunStore,
        steps: ItemSteps,
        settings: WorkflowSettings,
        clock: Clock = utc_now,
        wake: WakeSignals | None = None,
    ) -> None:
        self.runs, self.steps = runs, steps
        self.settings = settings
        self.clock = clock
        self.wake = wake

    def start(
        self, event: dict[str, Any], remaining: Remaining = lambda: 900_000
    ) -> dict[str, Any]:
        request = StartRequest.parse(event, self.settings)
        self.steps.use_priority(request.priority)
        now = self.clock()
        run = self._ensure_run(request, now)
        items, unsaved = self._ensure_items(run, request, now)
        turn = Round(poll=False, fallback=True)
        try:
            cut_short = self._advance(run, items, now, turn, remaining, unsaved)
        finally:  # a round that failed part-way still records every item, for the abort
            for item in items:
                if item.key["sk"] in unsaved:
                    self.runs.add_item(item)
        return self._progress(
            run, items, now, turn, initial_wait=request.initial_wait_seconds, cut_short=cut_short
        )

    def poll(
        self, refresh_id: str, remaining: Remaining = lambda: 900_000, woken: bool = False
    ) -> dict[str, Any]:
        """One poll round. ``woken``: the provider announced some of the run's records, so
        only those are fetched, unless the fallback poll time has come as well."""
        if self.wake is not None:
            self.wake.clear(refresh_id)
        run = self._run(refresh_id)
        self.steps.use_priority(parse_priority(run.request.get("priority")))
        items = self.runs.items(refresh_id)
        now = self.clock()
        run.rounds += 1
        turn = Round(poll=True, fallback=not woken or passed(run.fallback_at, now))
        cut_short = self._advance(run, items, now, turn, remaining, unsaved=set())
        if turn.missed and run.awaiting_webhooks and self.wake is not None:
            self.wake.record_miss(iso(now))
        return self._progress(run, items, now, turn, cut_short=cut_short)

    def abort(self, refresh_id: str, error: dict[str, Any]) -> None:
        """Record an unexpected failure: no item is ever left running. A run whose start
        failed before its record was written (bad input, a failed write) is recorded as
        failed, so that it can be read like any other."""
        now = iso(self.clock())
        summary = error_summary(error)
        run = self.runs.run(refresh_id) or self._failed_before_start(refresh_id, now, summary)
        reason = f"workflow failed: {summary}"
        for item in self.runs.items(refresh_id):
            if not item.status.terminal:
                item.finish(ItemStatus.FAILED, now, reason)
                self.runs.save_item(item)
                self.steps.record_unsuccessful(item)
        run.status, run.finished_at, run.updated_at = RunStatus.FAILED, now, now
        run.error = summary
        run.counts = count_by_status(self.runs.items(refresh_id))
        self.runs.save_run(run)
        # The full cause (with its stack trace) goes to the logs, never to the API.
        logger.error("refresh failed", extra={"refresh_id": refresh_id, "cause": error})

    def _failed_before_start(self, refresh_id: str, now: str, summary: str) -> RefreshRun:
        run = RefreshRun(refresh_id, created_at=now, deadline_at=now, status=RunStatus.FAILED)
        if self.runs.create_run(run):
            return run
        return self._run(refresh_id)  # the start wrote it after all, in the meantime

    def _run(self, refresh_id: str) -> RefreshRun:
        run = self.runs.run(refresh_id)
        if run is None:
            raise LookupError(f"refresh {refresh_id} does not exist")
        return run

    def _ensure_run(self, request: StartRequest, now: datetime) -> RefreshRun:
        run = RefreshRun(
            refresh_id=request.refresh_id,
            created_at=iso(now),
            deadline_at=iso(now + timedelta(seconds=request.deadline_seconds)),
            request=request.summary(),
        )
        if self.runs.create_run(run):
            return run
        return self._run(request.refresh_id)

    def _ensure_items(
        self, run: RefreshRun, request: StartRequest, now: datetime
    ) -> tuple[list[RefreshItem], set[str]]:
        """The run's items, and the sort keys of those not stored yet: a new item is
        first written once the start round has advanced it (one write, not a pending
        one and then a started one). Stored ones (a retried start) stay as they are."""
        items = {item.key["sk"]: item for item in self.runs.items(run.refresh_id)}
        unsaved: set[str] = set()
        for spec in self.steps.resolve(request, iso(now)):
            item = RefreshItem(
                run.refresh_id,
                spec.account_id,
                spec.product,
                spec.customer_id,
                subscription_id=spec.subscription_id,
            )
            if item.key["sk"] not in items:
                items[item.key["sk"]] = item
                unsaved.add(item.key["sk"])
        return list(items.values()), unsaved

    def _advance(
        self,
        run: RefreshRun,
        items: list[RefreshItem],
        now: datetime,
        turn: Round,
        remaining: Remaining,
        unsaved: set[str],
    ) -> bool:
        """One round over the batch; True if it stopped early for lack of time.
        ``unsaved``: the items not stored yet (each is written once, as left)."""
        cut_short = False
        finished: Counter[ItemStatus] = Counter()
        resume = resume_point(run, now, self.settings)
        self.steps.expect_calls(sum(asks(run, i, now, turn, resume, self.settings) for i in items))
        # Work under way first: the budget finishes what was started before starting more.
        for item in sorted(items, key=round_order):
            if item.status.terminal:
                continue
            before = item.to_record()
            asked = False
            if item.status is ItemStatus.PENDING and now >= item_deadline(run, item, self.settings):
                # Never started, and its time is up (a long hold, a starved budget):
                # starting it now would spend a call on an item already given up.
                item.finish(ItemStatus.TIMED_OUT, iso(now), "not started before the deadline")
            elif remaining() < TIME_RESERVE_MS:
                cut_short = True
            elif asks(run, item, now, turn, resume, self.settings):
                self._step(run, item, now, turn)
                asked = not budget_cut(run, now)
                if run.resume_at is None and not asked:
                    # A chain of cut rounds keeps the first cut's time: the items it
                    # skips were asked at most one poll interval ago, never longer.
                    run.resume_at, run.cut_at = round_order(item), run.cut_at or iso(now)
            if not item.status.terminal and overdue(run, item, now, asked, self.settings):
                item.finish(ItemStatus.TIMED_OUT, iso(now), "not ready before the deadline")
            if item.key["sk"] in unsaved:
                self.runs.add_item(item)
                unsaved.discard(item.key["sk"])
            elif item.to_record() != before:  # a not-ready poll changes nothing: no write
                self.runs.save_item(item)
            if item.status.terminal:
                finished[item.status] += 1
                if item.status is not ItemStatus.SUCCEEDED:
                    self.steps.record_unsuccessful(item)
        self.steps.mark_stored()
        for status, count in finished.items():  # one value per round, not one per item
            metrics.add_metric(name=FINISHED_METRICS[status], unit=MetricUnit.Count, value=count)
        if budget_cut(run, now):
            self._take_turn(run, items, now)
        return cut_short

    def _take_turn(self, run: RefreshRun, items: list[RefreshItem], now: datetime) -> None:
        """Cut short by the budget: park until the run's turn, not merely the next window,
        where every other cut run would wake beside it and find nothing again."""
        if passed(run.turn_at, now):  # no turn held, or it came and the window was taken
            earliest = datetime.fromisoformat(run.budget_until or iso(now)) - now
            wait = self.steps.take_turn(calls_left(run, items), earliest.total_seconds())
            run.turn_at = iso(now + timedelta(seconds=wait))
        moments = (datetime.fromisoformat(m) for m in (run.budget_until, run.turn_at) if m)
        run.budget_until = iso(max(moments, default=now))

    def _step(self, run: RefreshRun, item: RefreshItem, now: datetime, turn: Round) -> None:
        """Advance one item by one provider call (its pages aside): ``asks`` said so."""
        at = iso(now)
        try:
            if item.status is ItemStatus.PENDING:
                self.steps.begin(item, at)
            else:
                announced = item.announced
                self.steps.collect(item, at)
                if item.status is ItemStatus.STARTED and announced:
                    item.push_seen_at = item.pushed_at  # announced too early: wait for more
                elif item.status is ItemStatus.SUCCEEDED and not announced:
                    turn.missed = True
        except BudgetExhaustedError as error:
            # Nothing was sent: the item keeps its place and the round ends here.
            run.budget_until = iso(now + timedelta(seconds=error.wait_seconds))
        except RateLimitedError as error:
            # The limit is business-wide: no call at all until the provider's time.
            run.held_until = iso(now + timedelta(seconds=error.retry_after))
            self.steps.hold(error.retry_after)
        except TRANSIENT_ERRORS as error:
            item.attempts += 1
            if item.attempts >= self.settings.max_unavailable_attempts:
                item.finish(ItemStatus.FAILED, at, f"unavailable: {type(error).__name__}")
            else:
                retry = timedelta(seconds=self.settings.unavailable_retry_seconds)
                item.retry_at = iso(now + retry)
        except ProviderError as error:
            item.finish(ItemStatus.FAILED, at, f"{type(error).__name__}: {error}")
        except Exception as error:
            logger.exception("refresh item failed", extra={"refresh_id": item.refresh_id})
            item.finish(ItemStatus.FAILED, at, f"unexpected error: {type(error).__name__}")

    def _progress(
        self,
        run: RefreshRun,
        items: list[RefreshItem],
        now: datetime,
        turn: Round,
        initial_wait: int | None = None,
        cut_short: bool = False,
    ) -> dict[str, Any]:
        counts = count_by_status(items)
        done = all(item.status.terminal for item in items)
        run.counts, run.updated_at = counts, iso(now)
        if done:
            run.status, run.finished_at = RunStatus.COMPLETED, iso(now)
        run.awaiting_webhooks = self._webhooks_reliable(now)
        wait = round_wait(run, items, now, self.settings, initial_wait, cut_short)
        if turn.fallback or not run.fallback_at:
            run.fallback_at = iso(now + timedelta(seconds=wait))
        else:  # woken early: the fallback poll keeps its time
            until = datetime.fromisoformat(run.fallback_at) - now
            wait = max(1, min(wait, math.ceil(until.total_seconds())))
        self.runs.save_run(run)
        logger.info("refresh progress", extra={"refresh_id": run.refresh_id, "counts": counts})
        return Progress(run.refresh_id, done, wait, counts).to_output()

    def _webhooks_reliable(self, now: datetime) -> bool:
        if self.wake is None:
            return False
        trust = timedelta(seconds=self.settings.webhook_trust_seconds)
        return self.wake.webhooks_reliable(now, trust)
