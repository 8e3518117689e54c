"""A round's provider calls taken from the budget a window's worth at a time.

A refresh round knows how many calls it is about to make (one per item it
starts or polls; more pages are taken as they come), and how many of them are
work under way (fetches and polls of started items, an on-demand run's first
call), which it makes first. Its purse takes as many of them as the current
window has left for each kind in one write, and hands them out one per call;
a call the purse has none for takes the next share. A share taken in a window
lapses at the window's end, so a call is never made in a window that did not
count it, and the windows bound the rate exactly as when every call took its
own token. What a round took and did not make (it ran out of time) is lost to
everyone until the window ends: expected calls are counted with the round's
own tests, never guessed above them.
"""

import threading

from banksync.budget.limiter import Priority, ProviderBudget


class BudgetPurse:
    def __init__(self, budget: ProviderBudget, priority: Priority = "scheduled") -> None:
        self.budget, self.priority = budget, priority
        self.expected = 0  # the calls the round still means to make
        self.under_way = 0  # how many of them (the first ones) are work under way
        # The last call asked for was work under way (a page continues its call).
        self.last_under_way = False
        # The last refusal found the window full for new work: the caller queues for a
        # turn (``banksync.budget.turns``). Work under way, or new work that has had its
        # share of a window, is back when the window (or its release) comes instead.
        self.queues = False
        self._held, self._until = 0, 0.0
        # A Lambda container runs one round at a time, but the offline stack and the
        # tests run many in one process: a share is handed out once, whoever asks.
        self._lock = threading.Lock()

    def expect(self, calls: int, under_way: int = 0) -> None:
        """The round about to run makes ``calls`` calls (pages past the first aside), the
        first ``under_way`` of them for work under way."""
        self.expected = max(0, calls)
        self.under_way = min(max(0, under_way), self.expected)
        self.last_under_way = False

    def admit(self) -> float:
        """0: make the call; otherwise the seconds until one may be made."""
        with self._lock:
            # Past what the round expected, a call is a page of the one before.
            self.last_under_way = self.under_way > 0 if self.expected else self.last_under_way
            if self._held > 0 and self.budget.clock() < self._until:
                self._held -= 1
            else:
                under_way = self.under_way if self.expected else int(self.last_under_way)
                grant = self.budget.take_calls(self.priority, self.expected, under_way)
                if not grant.calls:
                    at_release = self.budget.clock() + grant.wait < grant.until
                    self.queues = not (under_way or at_release)
                    return grant.wait
                self._held, self._until = grant.calls - 1, grant.until
            self.expected = max(0, self.expected - 1)
            self.under_way = max(0, self.under_way - 1)
            return 0.0
