"""Turns at the provider budget: when a run that found no call to spare asks again.

Without turns, every run the budget cuts short parks until the next window,
and all of them wake at its start: with K runs sharing a window's calls, most
of those rounds (each an invocation, a read of the run's items, transitions)
find nothing again, and the rounds grow with K. Instead a cut run takes a
turn: the share of the budget its remaining calls need (at most one window),
queued behind the turns already taken, and parks until its turn comes. Runs
then wake one after another at the pace the budget serves them.

The queue is one item per priority (``pk=BUDGET, sk=TURNS#<priority>``), the
time its last turn ends; a turn is taken with a conditional write on it, so
concurrent runs never get the same turn. A turn is a pacing hint, not a
reservation: tokens are still taken from the window counters, so a run that
wakes early or late can never make the stack exceed the rate.

A schedule's or the sweep's new work is served in a window's release (the last
tenth of it, once work under way has had the calls the window keeps for it,
``banksync.budget.limiter``), so their turns are paced over releases: a window's
calls over its last tenth. On-demand turns are paced over whole windows.
"""

import math
from typing import Any

from botocore.exceptions import ClientError

from banksync.budget.limiter import (
    FIRST_CLASS,
    RESERVE_RELEASED_AT,
    STAMPED,
    Priority,
    ProviderBudget,
)
from banksync.dynamo import to_item

# Concurrent takers retry a lost race this often before falling back to the next window.
ATTEMPTS = 5


def at_release(budget: ProviderBudget, moment: float) -> float:
    """``moment``, or if it falls where a window's calls are kept for work under way (the
    schedule and the sweep have had their share there, ``limiter``), the window's release:
    a turn there would be refused and cost its run a second round."""
    window = budget.window_seconds
    release = moment - moment % window + window * RESERVE_RELEASED_AT
    return max(moment, release)


class BudgetTurns:
    def __init__(self, budget: ProviderBudget) -> None:
        self.budget = budget

    def take(self, priority: Priority, calls: int, earliest: float) -> float:
        """Seconds until this caller's turn for ``calls`` provider calls; never less
        than ``earliest`` (when the budget's next window opens)."""
        budget = self.budget
        # Paced at the whole window: its reserve is released to every priority late in
        # the window (``limiter``), and a turn that comes early costs one short round.
        cap = budget.window_calls
        share = min(max(calls, 1), cap) / cap
        # The schedule's and the sweep's turns come in a window's release, where what work
        # under way left is theirs: a window's calls are paced over that last tenth.
        served_at_release = priority not in FIRST_CLASS
        span = budget.window_seconds * (1 - RESERVE_RELEASED_AT if served_at_release else 1)
        length = span * share
        key = to_item({"pk": budget.pk, "sk": f"TURNS#{priority}"})
        for _ in range(ATTEMPTS):
            now = budget.clock()
            found = budget.client.get_item(TableName=budget.table, Key=key, ConsistentRead=True)
            tail = float(found.get("Item", {}).get("tail", {}).get("N", 0))
            start = max(tail, now + earliest)
            start = at_release(budget, start) if served_at_release else start
            values: dict[str, Any] = {
                ":end": {"N": f"{math.ceil((start + length) * 1000) / 1000:.3f}"},
                ":expires": {"N": str(int(start) + 3600)},
                ":entity": {"S": "budget_turns"},
                ":version": {"N": "1"},
            }
            condition = "attribute_not_exists(tail)"
            if "Item" in found:  # compared as stored, to the digit
                values[":tail"], condition = found["Item"]["tail"], "tail = :tail"
            try:
                budget.client.update_item(
                    TableName=budget.table,
                    Key=key,
                    UpdateExpression=f"SET tail = :end, expires_at = :expires, {STAMPED}",
                    ConditionExpression=condition,
                    ExpressionAttributeValues=values,
                )
            except ClientError as error:
                if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                    continue  # another run took the turn first: queue behind it
                raise
            return start - now
        return earliest
