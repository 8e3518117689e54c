"""Virtual time for many executions at once: it moves only when all of them are parked.

The single-execution harness lets a parked execution move the clock itself;
with executions running side by side their waits would add up. Here a park
registers when it wants to wake and blocks; the driver (a benchmark's loop)
advances the clock to the earliest wake once every running execution is
parked, so concurrent executions, the provider budget and the sandbox's rate
limit all see one consistent clock.
"""

import threading
import time
from typing import cast

from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from tests.support.workflow import RefreshHarness

SETTLE_LIMIT_SECONDS = 30.0
WAKE_CHECK_SECONDS = 1.0


class _Sleeper:
    """What a park needs of an endpoint: an event that is never set."""

    def __init__(self) -> None:
        self._notify_event = threading.Event()


class TimeKeeper:
    def __init__(self, refresh: RefreshHarness) -> None:
        self.refresh = refresh
        self.clock = refresh.clock
        self._cond = threading.Condition()
        # Each parked execution's endpoint and when it wakes of itself.
        self._parked: dict[int, tuple[CallbackEndpoint, float]] = {}
        refresh.park = self.park  # type: ignore[method-assign]
        refresh.sleep = self.sleep  # a Wait state or a Retry waits like a park, alone
        self._machine = refresh.stack.refs["RefreshStateMachine"]
        _, _, _, self._region, self._account, *_ = self._machine.split(":")

    def park(self, endpoint: CallbackEndpoint, timeout: float) -> None:
        key = id(endpoint)
        with self._cond:
            wakes_at = self.clock.now + timeout
            self._parked[key] = (endpoint, wakes_at)
            self._cond.notify_all()
            while not endpoint._notify_event.is_set() and self.clock.now < wakes_at:
                # The driver wakes every parked execution at each step, and one whose
                # task token was sent the moment it sees it; the timeout is a safety
                # net. (A short one made every parked execution spin, and the
                # harness's CPU grow with their number.)
                self._cond.wait(WAKE_CHECK_SECONDS)
            del self._parked[key]

    def sleep(self, seconds: float) -> None:
        """A Wait state (or a Retry's interval): parked until then, nothing can wake it.
        Moving the shared clock itself would move every other execution's time too."""
        self.park(cast(CallbackEndpoint, _Sleeper()), seconds)

    def _waiting(self) -> list[float]:
        """When each execution still parked wakes (one whose token was sent is not)."""
        return [at for endpoint, at in self._parked.values() if not endpoint._notify_event.is_set()]

    def running(self) -> int:
        # Straight from moto's backend: the driver asks often, and the API lists pages.
        backend = stepfunctions_parser_backends[self._account][self._region]
        machine = backend.describe_state_machine(self._machine)
        return sum(1 for e in machine.executions if e.status == "RUNNING")

    def step(self, most: float) -> int:
        """Once every running execution is parked, move time to the earliest wake (by at
        most ``most`` seconds); returns how many executions are running."""
        limit = time.monotonic() + SETTLE_LIMIT_SECONDS
        while True:
            running = self.running()
            with self._cond:
                waiting = self._waiting()
                if len(waiting) < len(self._parked):
                    self._cond.notify_all()  # a token was sent: that execution goes on
            if len(waiting) >= running or time.monotonic() > limit:
                break
            time.sleep(0.005)
        with self._cond:
            now = self.clock.now
            target = min([*self._waiting(), now + most])
            self.clock.advance(max(0.0, target - now))  # 0: a wake is due now, let it run
            self._cond.notify_all()
        return running
