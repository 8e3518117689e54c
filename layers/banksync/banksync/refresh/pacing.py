"""When a refresh run calls the provider next: its rounds, waits, holds and deadlines."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from banksync.refresh.backoff import next_wait
from banksync.refresh.model import ItemStatus, RefreshItem, RefreshRun
from banksync.refresh.settings import WorkflowSettings


@dataclass
class Round:
    """What one round may do: ``poll`` callbacks at all, and of every started item
    (``fallback``) or only of those the provider announced; ``missed``: it found
    data ready that no webhook had announced."""

    poll: bool
    fallback: bool
    missed: bool = False


def passed(moment: str | None, now: datetime) -> bool:
    return not moment or datetime.fromisoformat(moment) <= now


def held(run: RefreshRun, now: datetime) -> bool:
    """No call for this run now: a 429's hold, or the budget had none to spare."""
    return any(
        bool(until) and datetime.fromisoformat(until or "") > now
        for until in (run.held_until, run.budget_until)
    )


def item_deadline(run: RefreshRun, item: RefreshItem, settings: WorkflowSettings) -> datetime:
    """A started item has the run's deadline from its own start; one that never
    started (waiting for the budget) is given up only after ``pending_limit``."""
    created = datetime.fromisoformat(run.created_at)
    if item.started_at:
        allowed = datetime.fromisoformat(run.deadline_at) - created
        return datetime.fromisoformat(item.started_at) + allowed
    return created + timedelta(seconds=settings.pending_limit_seconds)


def round_wait(
    run: RefreshRun,
    items: list[RefreshItem],
    now: datetime,
    settings: WorkflowSettings,
    initial_wait: int | None,
    cut_short: bool,
) -> int:
    """Seconds until the run's next round (how long it parks, if no webhook wakes it)."""
    open_items = [item for item in items if not item.status.terminal]
    deadline = min((item_deadline(run, item, settings) for item in open_items), default=now)
    until = max(
        (datetime.fromisoformat(u) for u in (run.held_until, run.budget_until) if u),
        default=None,
    )
    until_held = math.ceil((until - now).total_seconds()) if until and until > now else 0
    if cut_short and not until_held:
        return 1  # straight back for the items this round had no time for
    interval, cap = settings.poll_interval_seconds, settings.max_wait_seconds
    if run.awaiting_webhooks:
        # The provider's webhook will say when: poll only as a late fallback.
        interval = cap = settings.webhook_fallback_seconds
        initial_wait = None if initial_wait is None else max(initial_wait, interval)
    unstarted = any(item.status is ItemStatus.PENDING for item in open_items)
    if initial_wait is not None and not unstarted:
        to_deadline = max(1, int((deadline - now).total_seconds()))
        # A park's timeout must be a positive integer (an initial wait of 0 is allowed).
        return max(1, min(initial_wait, to_deadline), until_held)
    # Items still to start (held back by the budget, a 429 or a 503) set the pace.
    return next_wait(items, run.rounds, now, deadline, interval, cap, until)


def round_order(item: RefreshItem) -> str:
    """Started items first, then the ones to start; each in key order."""
    return f"{int(item.status is ItemStatus.PENDING)}#{item.key['sk']}"


def calls_left(run: RefreshRun, items: list[RefreshItem]) -> int:
    """The open items a budget-cut round had no call for (from where it stopped)."""
    resume = run.resume_at or ""
    return sum(1 for item in items if not item.status.terminal and round_order(item) >= resume)


def budget_cut(run: RefreshRun, now: datetime) -> bool:
    """The budget had no call to spare for this run, as of now (nothing was sent)."""
    return bool(run.budget_until) and datetime.fromisoformat(run.budget_until or "") > now


def overdue(
    run: RefreshRun, item: RefreshItem, now: datetime, asked: bool, settings: WorkflowSettings
) -> bool:
    """Past its deadline, and asked this round (or held so long that the pending limit
    has passed as well): an item the budget kept from its poll is never timed out for it."""
    deadline = item_deadline(run, item, settings)
    if now < deadline:
        return False
    backstop = deadline + timedelta(seconds=settings.pending_limit_seconds)
    return asked or item.status is ItemStatus.PENDING or now >= backstop


def waiting(item: RefreshItem, now: datetime) -> bool:
    """Held back until its retry time (a 503)."""
    return bool(item.retry_at) and datetime.fromisoformat(item.retry_at or "") > now


def resume_point(run: RefreshRun, now: datetime, settings: WorkflowSettings) -> str | None:
    """Where the last round stopped for lack of budget, if that was so recent that
    the items before it need no poll yet (asking their callbacks again would only
    spend the budget the rest of the batch waits for); None: a full round."""
    resume, cut_at = run.resume_at, run.cut_at
    run.resume_at = None
    if not resume or not cut_at:
        run.cut_at = None
        return None
    since = (now - datetime.fromisoformat(cut_at)).total_seconds()
    if since >= settings.poll_interval_seconds:
        run.cut_at = None  # long enough: a full round, every started item asked again
        return None
    return resume


def asks(
    run: RefreshRun,
    item: RefreshItem,
    now: datetime,
    turn: Round,
    resume: str | None,
    settings: WorkflowSettings,
) -> bool:
    """Whether this round calls the provider for ``item``, time allowing: it is open,
    not held, not waiting out a retry, not asked moments ago (before ``resume``), and
    either to be started (before its deadline) or a poll of it is due."""
    if item.status.terminal or held(run, now) or waiting(item, now):
        return False
    if resume is not None and round_order(item) < resume:
        return False
    deadline = item_deadline(run, item, settings)
    if item.status is ItemStatus.PENDING:
        return now < deadline
    return turn.poll and (turn.fallback or item.announced or now >= deadline)
