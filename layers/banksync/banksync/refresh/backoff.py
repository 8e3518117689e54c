"""How long the state machine waits before its next poll round."""

import math
from datetime import datetime

from banksync.refresh.model import ItemStatus, RefreshItem


def next_wait(
    items: list[RefreshItem],
    rounds: int,
    now: datetime,
    deadline: datetime,
    interval: int,
    cap: int,
) -> int:
    """Seconds until the next round: capped exponential backoff while callbacks are
    pending, the retry time of items held back by a 503, and never past the deadline
    (that round polls once more, then times out what is left). A hold (the budget's
    turn, a 429) is the caller's: ``pacing.hold_wait``."""
    waits: list[float] = []
    if any(item.status is ItemStatus.STARTED for item in items):
        waits.append(min(interval * 2 ** max(rounds - 1, 0), cap))
    for item in items:
        if item.status is ItemStatus.PENDING:
            due = datetime.fromisoformat(item.retry_at) if item.retry_at else now
            waits.append((due - now).total_seconds())
    wait = min(waits, default=0.0)
    return max(1, math.ceil(min(wait, (deadline - now).total_seconds())))
