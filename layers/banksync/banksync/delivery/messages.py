"""What a delivery-queue message still means when it arrives.

A message names the attempt it is for (``attempt``, the delivery's attempt count
when it was queued) and, once the delivery has a next attempt, the time that
attempt was due (``due``). Copies and leftovers are told apart from the message
that should make the attempt, so that no attempt is made twice and none is lost.
"""

from datetime import datetime, timedelta
from typing import Any

from banksync.delivery.model import Delivery

# The attempt's own message comes back after the queue's visibility timeout (360 s),
# past the next attempt's minute: that late, a next attempt that existed was made.
LOST_AFTER = timedelta(minutes=4)


def next_was_lost(message: dict[str, Any], delivery: Delivery, now: datetime) -> bool:
    """The message of the attempt just recorded came back (its Lambda failed after the
    record, before or while queueing the next), and the next attempt is long overdue:
    it was never queued. A copy that merely came twice finds the next one not due yet,
    or already made."""
    due = delivery.next_attempt_at
    return (
        message.get("attempt") == delivery.attempt_count - 1
        and due is not None
        and now - datetime.fromisoformat(due) >= LOST_AFTER
    )


def superseded_hold(message: dict[str, Any], delivery: Delivery, now: datetime) -> timedelta | None:
    """How long to hold a message for the right attempt whose ``due`` an operator's
    replay moved forward (the replay queued a message of its own); None: it goes on.

    The replay's message is given ``LOST_AFTER`` past the time it moved the attempt
    to: if the delivery is still waiting for that attempt then, the replay's message
    was lost, and this one makes the attempt."""
    due, moved = message.get("due"), delivery.next_attempt_at
    if not due or not moved or due == moved:
        return None
    wait = datetime.fromisoformat(moved) + LOST_AFTER - now
    return wait if wait > timedelta(0) else None
