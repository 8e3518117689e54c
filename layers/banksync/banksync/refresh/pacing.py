"""When a refresh run calls the provider next: its rounds, waits, holds and deadlines."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from banksync.clock import iso
from banksync.refresh.backoff import next_wait
from banksync.refresh.model import ItemStatus, RefreshItem, RefreshRun
from banksync.refresh.settings import WorkflowSettings

# No run parks for less than this twice in a row: a round that finds nothing to do
# at once must not turn into a loop of rounds (each one an invocation and history
# events: an execution has 25,000 of them).
MIN_WAIT_SECONDS = 5


@dataclass
class Round:
    """What one round may do: ``poll`` callbacks at all, and of every started item
    (``fallback``) or only of those the provider announced; ``missed``: it found
    data ready that no webhook had announced."""

    poll: bool
    fallback: bool
    missed: bool = False


class Expiry(Enum):
    """What becomes of an open item whose deadline has passed."""

    TIME_OUT = "time_out"
    REQUEUE = "requeue"


def passed(moment: str | None, now: datetime) -> bool:
    return not moment or datetime.fromisoformat(moment) <= now


def provider_held(run: RefreshRun, now: datetime) -> bool:
    """The provider answered 429: no call at all until its time."""
    return bool(run.held_until) and datetime.fromisoformat(run.held_until or "") > now


def budget_cut(run: RefreshRun, now: datetime) -> bool:
    """The budget had no call to spare for this run, as of now (nothing was sent)."""
    return bool(run.budget_until) and datetime.fromisoformat(run.budget_until or "") > now


def held(run: RefreshRun, now: datetime) -> bool:
    """No call for this run now: a 429's hold, or the budget had none to spare."""
    return provider_held(run, now) or budget_cut(run, now)


def item_deadline(run: RefreshRun, item: RefreshItem, settings: WorkflowSettings) -> datetime:
    """A started item has the run's deadline from its own start (or from when it was
    requeued); one that never started (waiting for the budget) is given up only after
    ``pending_limit``."""
    created = datetime.fromisoformat(run.created_at)
    if item.started_at:
        allowed = datetime.fromisoformat(run.deadline_at) - created
        return datetime.fromisoformat(item.requeued_at or item.started_at) + allowed
    return pending_limit(run, settings)


def pending_limit(run: RefreshRun, settings: WorkflowSettings) -> datetime:
    created = datetime.fromisoformat(run.created_at)
    return created + timedelta(seconds=settings.pending_limit_seconds)


def round_wait(
    run: RefreshRun,
    items: list[RefreshItem],
    now: datetime,
    settings: WorkflowSettings,
    initial_wait: int | None,
    cut_short: bool,
) -> int:
    """Seconds until the run's next poll of its started items is due (its schedule: a
    backoff, or the webhook fallback), holds aside (``hold_wait``)."""
    open_items = [item for item in items if not item.status.terminal]
    deadline = min((item_deadline(run, item, settings) for item in open_items), default=now)
    if cut_short:
        return 1  # straight back for the items this round had no time for
    interval, cap = settings.poll_interval_seconds, settings.max_wait_seconds
    if run.awaiting_webhooks:
        # The provider's webhook will say when: poll only as a late fallback.
        interval = cap = settings.webhook_fallback_seconds
        initial_wait = None if initial_wait is None else max(initial_wait, interval)
    queued = any(item.queued for item in open_items)
    if initial_wait is not None and not queued:
        to_deadline = max(1, int((deadline - now).total_seconds()))
        # A park's timeout must be a positive integer (an initial wait of 0 is allowed).
        return max(1, min(initial_wait, to_deadline))
    # Items still to start (held back by a 503) set the pace.
    return next_wait(items, run.rounds, now, deadline, interval, cap)


def hold_wait(run: RefreshRun, now: datetime) -> int:
    """Seconds until a held run may call again: its turn at the budget, or the end of a
    429's hold (0: not held). A held run parks until then, whether or not a webhook is
    awaited: the webhook that woke it is spent."""
    until = max(
        (datetime.fromisoformat(u) for u in (run.held_until, run.budget_until) if u),
        default=None,
    )
    return math.ceil((until - now).total_seconds()) if until and until > now else 0


def parked_for_turn(run: RefreshRun) -> bool:
    """The run's last round left it held (its park lasted until its turn, or a 429's
    end), rather than parked for its poll schedule."""
    last = run.updated_at or ""
    return any(bool(until) and (until or "") > last for until in (run.budget_until, run.held_until))


def floored(wait: int, last_wait: int | None) -> int:
    """``wait``, raised to the floor if the run's last park was short as well."""
    if last_wait is not None and last_wait < MIN_WAIT_SECONDS:
        return max(wait, MIN_WAIT_SECONDS)
    return wait


def round_order(item: RefreshItem) -> str:
    """Announced items first (the provider said their data is ready: one call each
    finishes them), then the other started ones, then those to start; each in key order."""
    rank = 0 if item.announced else 2 if item.queued else 1
    return f"{rank}#{item.key['sk']}"


def calls_left(run: RefreshRun, items: list[RefreshItem]) -> int:
    """The open items a budget-cut round had no call for (from where it stopped)."""
    resume = run.resume_at or ""
    return sum(1 for item in items if not item.status.terminal and round_order(item) >= resume)


def expiry(
    run: RefreshRun, item: RefreshItem, now: datetime, asked: bool, settings: WorkflowSettings
) -> Expiry | None:
    """None while the item has time. Past its deadline it ends in this round: timed out
    if it was asked (or could have been), queued again for the budget if the budget or a 429
    alone kept its poll back and the run may still wait for it."""
    if now < item_deadline(run, item, settings):
        return None
    if not asked and held(run, now) and now < pending_limit(run, settings):
        return Expiry.REQUEUE
    return Expiry.TIME_OUT


def expire(
    run: RefreshRun, item: RefreshItem, now: datetime, asked: bool, settings: WorkflowSettings
) -> None:
    """Past its deadline an item ends in this round, or (held by the budget alone) waits
    for a call again as new work: a held run never spins on its deadline."""
    if item.status.terminal:
        return
    ending = expiry(run, item, now, asked, settings)
    if ending is Expiry.TIME_OUT:
        item.finish(ItemStatus.TIMED_OUT, iso(now), "not ready before the deadline")
    elif ending is Expiry.REQUEUE:
        item.requeued_at = iso(now)


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
    # The items before it are due again on the run's schedule: at the next poll
    # interval, or (while webhooks are awaited) not before the webhook fallback.
    due = settings.webhook_fallback_seconds if run.awaiting_webhooks else None
    if since >= (due or settings.poll_interval_seconds):
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
    not held by a 429, not waiting out a retry; announced by the provider (fetched in
    the round it wakes, even before the run's turn at the budget: the budget is asked
    and decides); or else not held by the budget, not asked moments ago (before
    ``resume``), and either owed a call (before its deadline) or due a poll."""
    if item.status.terminal or provider_held(run, now) or waiting(item, now):
        return False
    if item.status is ItemStatus.STARTED and item.announced:
        return True
    if budget_cut(run, now) or (resume is not None and round_order(item) < resume):
        return False
    deadline = item_deadline(run, item, settings)
    if item.queued:
        return now < deadline
    return turn.poll and (turn.fallback or now >= deadline)


def round_calls(
    run: RefreshRun,
    items: list[RefreshItem],
    now: datetime,
    turn: Round,
    resume: str | None,
    settings: WorkflowSettings,
) -> tuple[int, int]:
    """The calls a round means to make, and how many of them (made first: ``round_order``)
    are work under way: fetches of items the provider announced ready, which finish
    them. A poll on the run's schedule may find nothing ready: it waits its turn as
    a start does."""
    asking = [item for item in items if asks(run, item, now, turn, resume, settings)]
    return len(asking), sum(1 for item in asking if item.announced)
