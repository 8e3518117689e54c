"""The refresh workflow's three tasks: start a batch, poll its callbacks, abort it.

State lives in the DataTable (the run and one record per item), so every task
is safe to retry: a started item is never started again, and a finished item
is never touched again. The state machine carries only a Progress summary.
"""

import json
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
from banksync.refresh.backoff import next_wait
from banksync.refresh.model import ItemStatus, Progress, RefreshItem, RefreshRun, RunStatus
from banksync.refresh.request import StartRequest, parse_priority
from banksync.refresh.runs import RefreshRunStore
from banksync.refresh.settings import WorkflowSettings
from banksync.refresh.steps import ItemSteps

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
    ) -> None:
        self.runs, self.steps = runs, steps
        self.settings = settings
        self.clock = clock

    def start(
        self, event: dict[str, Any], remaining: Remaining = lambda: 900_000
    ) -> dict[str, Any]:
        request = StartRequest.parse(event, self.settings)
        self.steps.use_priority(request.priority)
        now = self.clock()
        run = self._ensure_run(request, now)
        items = self._ensure_items(run, request, now)
        cut_short = self._advance(run, items, now, poll=False, remaining=remaining)
        return self._progress(
            run, items, now, initial_wait=request.initial_wait_seconds, cut_short=cut_short
        )

    def poll(self, refresh_id: str, remaining: Remaining = lambda: 900_000) -> dict[str, Any]:
        run = self._run(refresh_id)
        self.steps.use_priority(parse_priority(run.request.get("priority")))
        items = self.runs.items(refresh_id)
        now = self.clock()
        run.rounds += 1
        cut_short = self._advance(run, items, now, poll=True, remaining=remaining)
        return self._progress(run, items, now, cut_short=cut_short)

    def abort(self, refresh_id: str, error: dict[str, Any]) -> None:
        """Record an unexpected failure: no item is ever left running."""
        run = self._run(refresh_id)
        now = iso(self.clock())
        summary = _error_summary(error)
        reason = f"workflow failed: {summary}"
        for item in self.runs.items(refresh_id):
            if not item.status.terminal:
                item.finish(ItemStatus.FAILED, now, reason)
                self.runs.save_item(item)
        run.status, run.finished_at, run.updated_at = RunStatus.FAILED, now, now
        run.error = summary
        run.counts = _counts(self.runs.items(refresh_id))
        self.runs.save_run(run)
        # The full cause (with its stack trace) goes to the logs, never to the API.
        logger.error("refresh failed", extra={"refresh_id": refresh_id, "cause": error})

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
    ) -> list[RefreshItem]:
        for spec in self.steps.resolve(request, iso(now)):
            self.runs.add_item(
                RefreshItem(
                    run.refresh_id,
                    spec.account_id,
                    spec.product,
                    spec.customer_id,
                    subscription_id=spec.subscription_id,
                )
            )
        return self.runs.items(run.refresh_id)

    def _advance(
        self,
        run: RefreshRun,
        items: list[RefreshItem],
        now: datetime,
        poll: bool,
        remaining: Remaining,
    ) -> bool:
        """One round over the batch; True if it stopped early for lack of time."""
        cut_short = False
        finished: Counter[ItemStatus] = Counter()
        for item in items:
            if item.status.terminal:
                continue
            before = item.to_record()
            if remaining() < TIME_RESERVE_MS:
                cut_short = True
            elif not _held(run, now) and not _waiting(item, now):
                self._step(run, item, now, poll)
            if not item.status.terminal and now >= self._deadline(run, item):
                item.finish(ItemStatus.TIMED_OUT, iso(now), "not ready before the deadline")
            if item.to_record() != before:  # a not-ready poll changes nothing: no write
                self.runs.save_item(item)
            if item.status.terminal:
                finished[item.status] += 1
        for status, count in finished.items():  # one value per round, not one per item
            metrics.add_metric(name=FINISHED_METRICS[status], unit=MetricUnit.Count, value=count)
        return cut_short

    def _step(self, run: RefreshRun, item: RefreshItem, now: datetime, poll: bool) -> None:
        """Advance one item by (at most) one provider call."""
        at = iso(now)
        try:
            if item.status is ItemStatus.PENDING:
                self.steps.begin(item, at)
            elif poll:
                self.steps.collect(item, at)
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

    def _deadline(self, run: RefreshRun, item: RefreshItem) -> datetime:
        """A started item has the run's deadline from its own start; one that never
        started (waiting for the budget) is given up only after ``pending_limit``."""
        created = datetime.fromisoformat(run.created_at)
        if item.started_at:
            allowed = datetime.fromisoformat(run.deadline_at) - created
            return datetime.fromisoformat(item.started_at) + allowed
        return created + timedelta(seconds=self.settings.pending_limit_seconds)

    def _progress(
        self,
        run: RefreshRun,
        items: list[RefreshItem],
        now: datetime,
        initial_wait: int | None = None,
        cut_short: bool = False,
    ) -> dict[str, Any]:
        counts = _counts(items)
        done = all(item.status.terminal for item in items)
        run.counts, run.updated_at = counts, iso(now)
        if done:
            run.status, run.finished_at = RunStatus.COMPLETED, iso(now)
        self.runs.save_run(run)
        logger.info("refresh progress", extra={"refresh_id": run.refresh_id, "counts": counts})
        wait = self._wait(run, items, now, initial_wait, cut_short)
        return Progress(run.refresh_id, done, wait, counts).to_output()

    def _wait(
        self,
        run: RefreshRun,
        items: list[RefreshItem],
        now: datetime,
        initial_wait: int | None,
        cut_short: bool,
    ) -> int:
        open_items = [item for item in items if not item.status.terminal]
        deadline = min((self._deadline(run, item) for item in open_items), default=now)
        held = max(
            (datetime.fromisoformat(u) for u in (run.held_until, run.budget_until) if u),
            default=None,
        )
        until_held = math.ceil((held - now).total_seconds()) if held and held > now else 0
        if cut_short and not until_held:
            return 1  # straight back for the items this round had no time for
        if initial_wait is not None:
            to_deadline = max(1, int((deadline - now).total_seconds()))
            return max(min(initial_wait, to_deadline), until_held)
        interval, cap = self.settings.poll_interval_seconds, self.settings.max_wait_seconds
        return next_wait(items, run.rounds, now, deadline, interval, cap, held)


def _held(run: RefreshRun, now: datetime) -> bool:
    return any(
        bool(until) and datetime.fromisoformat(until or "") > now
        for until in (run.held_until, run.budget_until)
    )


def _waiting(item: RefreshItem, now: datetime) -> bool:
    return bool(item.retry_at) and datetime.fromisoformat(item.retry_at or "") > now


def _error_summary(error: dict[str, Any]) -> str:
    """``ErrorType: message`` from a Step Functions error, without any stack trace."""
    name = str(error.get("Error") or "unknown error")
    try:
        cause = json.loads(error.get("Cause") or "")
    except (TypeError, ValueError):
        cause = error.get("Cause")
    if isinstance(cause, dict):
        return f"{cause.get('errorType', name)}: {str(cause.get('errorMessage', ''))[:200]}"
    return f"{name}: {str(cause or '')[:200]}" if cause else name


def _counts(items: list[RefreshItem]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[str(item.status)] = counts.get(str(item.status), 0) + 1
    return counts
