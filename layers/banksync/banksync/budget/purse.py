"""A round's provider calls taken from the budget a window's worth at a time.

A refresh round knows how many calls it is about to make (one per item it
starts or polls; more pages are taken as they come). Its purse takes as many
of them as the current window has left in one write, and hands them out one
per call; a call the purse has none for takes the next share. A share taken
in a window lapses at the window's end, so a call is never made in a window
that did not count it, and the windows bound the rate exactly as when every
call took its own token. What a round took and did not make (it ran out of
time) is lost to everyone until the window ends: expected calls are counted
with the round's own tests, never guessed above them.
"""

import threading

from banksync.budget.limiter import Priority, ProviderBudget


class BudgetPurse:
    def __init__(self, budget: ProviderBudget, priority: Priority = "scheduled") -> None:
        self.budget, self.priority = budget, priority
        self.expected = 0  # the calls the round still means to make
        self._held, self._until = 0, 0.0
        # A Lambda container runs one round at a time, but the offline stack and the
        # tests run many in one process: a share is handed out once, whoever asks.
        self._lock = threading.Lock()

    def expect(self, calls: int) -> None:
        """The round about to run makes ``calls`` calls (pages past the first aside)."""
        self.expected = max(0, calls)

    def admit(self) -> float:
        """0: make the call; otherwise the seconds until one may be made."""
        with self._lock:
            if self._held > 0 and self.budget.clock() < self._until:
                self._held -= 1
            else:
                grant = self.budget.take_calls(self.priority, self.expected)
                if not grant.calls:
                    return grant.wait
                self._held, self._until = grant.calls - 1, grant.until
            self.expected = max(0, self.expected - 1)
            return 0.0
