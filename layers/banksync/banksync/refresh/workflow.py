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

from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import BotoCoreError, ClientError

from banksync.clock import Clock, iso, utc_now
from banksync.observability import logger
from banksync.provider.errors import (
    BudgetExhaustedError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitedError,
)
from banksync.refresh.abort import record_failure
from banksync.refresh.model import ItemStatus, Progress, RefreshItem, RefreshRun, RunStatus
from banksync.refresh.pacing import (
    Round,
    asks,
    budget_cut,
    calls_left,
    expire,
    floored,
    held,
    hold_wait,
    item_deadline,
    parked_for_turn,
    passed,
    resume_point,
    round_calls,
    round_order,
    round_wait,
)
from banksync.refresh.request import StartRequest, parse_priority, parse_provider
from banksync.refresh.runs import RefreshRunStore
from banksync.refresh.settings import WorkflowSettings
from banksync.refresh.steps import ItemSteps
from banksync.refresh.summary import count_by_status, count_finished
from banksync.refresh.turns import take_turn
from banksync.refresh.wake import WakeSignals

# Stop calling the provider when a task has less than this left, so that one
# slow round ends as a short round instead of a Lambda timeout.
TIME_RESERVE_MS = 20_000
# AWS errors inside a step are transient: the item is retried like a 503.
TRANSIENT_ERRORS = (ProviderUnavailableError, ClientError, BotoCoreError, GetParameterError)
Remaining = Callable[[], int]


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
        self.steps.serve(request.provider, request.priority)
        # An on-demand run's first call (its accounts lookup, or else its first start)
        # opens work a user waits for: it comes before new work, as work under way does.
        opening = request.priority == "on_demand"
        lookups = len(request.customers)
        self.steps.expect_calls(lookups, under_way=lookups if opening else 0)
        now = self.clock()
        run = self._ensure_run(request, now)
        try:
            items, unsaved = self._ensure_items(run, request, now)
        except BudgetExhaustedError as error:
            # The accounts lookup had no call: at the run's turn the start runs again
            # (a task Retry would back off further each time while the budget sits idle).
            wait = take_turn(run, now, self.steps.take_turn, len(request.customers), error)
            wait = floored(wait, run.last_wait_seconds)
            run.last_wait_seconds, run.updated_at = wait, iso(now)
            self.runs.save_run(run)
            return Progress(run.refresh_id, False, wait, {}, accounts_pending=True).to_output()
        turn = Round(poll=False, fallback=True)
        try:
            first = opening and not lookups
            cut_short = self._advance(run, items, now, turn, remaining, unsaved, first)
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
        request = run.request
        self.steps.serve(
            parse_provider(request.get("provider")), parse_priority(request.get("priority"))
        )
        items = self.runs.items(refresh_id)
        now = self.clock()
        run.rounds += 1
        # A park that timed out is the run's fallback poll, unless it was parked for its
        # turn at the budget; a webhook's wake or a turn before the fallback time asks
        # only what is announced (or owed since a cut round).
        timed_out = not woken and not parked_for_turn(run)
        turn = Round(poll=True, fallback=timed_out or passed(run.fallback_at, now))
        cut_short = self._advance(run, items, now, turn, remaining, unsaved=set())
        if turn.missed and run.awaiting_webhooks and self.wake is not None:
            self.wake.record_miss(iso(now))
        return self._progress(run, items, now, turn, cut_short=cut_short)

    def abort(self, refresh_id: str, error: dict[str, Any]) -> None:
        """Record an unexpected failure: no item is ever left running."""
        record_failure(self.runs, self.steps, refresh_id, error, iso(self.clock()))

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
        opening: bool = False,
    ) -> bool:
        """One round over the batch; True if it stopped early for lack of time.
        ``unsaved``: the items not stored yet (each is written once, as left);
        ``opening``: the round's first call opens an on-demand run."""
        cut_short = False
        finished: Counter[ItemStatus] = Counter()
        resume = resume_point(run, now, self.settings)
        calls, under_way = round_calls(run, items, now, turn, resume, self.settings)
        self.steps.expect_calls(calls, under_way + opening)
        held_before = run.budget_until

        def cut_here() -> bool:
            return run.budget_until != held_before and budget_cut(run, now)

        # Announced items first, then work under way: the budget finishes what was
        # started before starting more.
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
                cut_short = True  # judged in the round that comes straight after
            # Cut by the budget in this round: no more asking it (each ask a write).
            elif not cut_here() and asks(run, item, now, turn, resume, self.settings):
                self._step(run, item, now, turn)
                asked = not cut_here()
                if run.resume_at is None and not asked:
                    # A chain of cut rounds keeps the first cut's time: the items it
                    # skips were asked at most one poll interval ago, never longer.
                    run.resume_at, run.cut_at = round_order(item), run.cut_at or iso(now)
            if not cut_short or asked:
                expire(run, item, now, asked, self.settings)
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
        count_finished(finished)
        if budget_cut(run, now):
            take_turn(run, now, self.steps.take_turn, calls_left(run, items))
        return cut_short

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
        trust = timedelta(seconds=self.settings.webhook_trust_seconds)
        run.awaiting_webhooks = self.wake is not None and self.wake.webhooks_reliable(now, trust)
        schedule = round_wait(run, items, now, self.settings, initial_wait, cut_short)
        if not run.fallback_at or (turn.fallback and not held(run, now)):
            # A held fallback round keeps its time: its turn finishes the fallback poll.
            run.fallback_at = iso(now + timedelta(seconds=schedule))
        until = datetime.fromisoformat(run.fallback_at) - now
        wait = hold_wait(run, now) or max(1, min(schedule, math.ceil(until.total_seconds())))
        wait = floored(wait, run.last_wait_seconds)
        run.last_wait_seconds = wait
        self.runs.save_run(run)
        logger.info("refresh progress", extra={"refresh_id": run.refresh_id, "counts": counts})
        return Progress(run.refresh_id, done, wait, counts).to_output()
