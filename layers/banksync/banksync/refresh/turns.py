"""A run the provider budget cut short takes its turn at the budget and parks until it."""

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from banksync.clock import iso
from banksync.provider.errors import BudgetExhaustedError
from banksync.refresh.model import RefreshRun
from banksync.refresh.pacing import passed

# (calls, earliest seconds) -> seconds until the turn (ItemSteps.take_turn)
TurnTaker = Callable[[int, float], float]


def take_turn(
    run: RefreshRun,
    now: datetime,
    taker: TurnTaker,
    calls: int,
    refused: BudgetExhaustedError | None = None,
) -> int:
    """Hold the run until its turn for ``calls`` more calls, not merely the next window,
    where every other cut run would wake beside it and find nothing again; returns the
    seconds until then. ``refused``: the budget's answer, if the call was refused here."""
    if refused is not None:
        run.budget_until = iso(now + timedelta(seconds=refused.wait_seconds))
    if passed(run.turn_at, now):  # no turn held, or it came and the window was taken
        earliest = datetime.fromisoformat(run.budget_until or iso(now)) - now
        wait = taker(calls, earliest.total_seconds())
        run.turn_at = iso(now + timedelta(seconds=wait))
    moments = (datetime.fromisoformat(m) for m in (run.budget_until, run.turn_at) if m)
    held_until = max(moments, default=now)
    run.budget_until = iso(held_until)
    return max(1, math.ceil((held_until - now).total_seconds()))
