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

from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from tests.support.workflow import RefreshHarness

SETTLE_LIMIT_SECONDS = 30.0


class TimeKeeper:
    def __init__(self, refresh: RefreshHarness) -> None:
        self.refresh = refresh
        self.clock = refresh.clock
        self._cond = threading.Condition()
        self._parked: dict[int, float] = {}
        refresh.park = self.park  # type: ignore[method-assign]
        self._machine = refresh.stack.refs["RefreshStateMachine"]
        _, _, _, self._region, self._account, *_ = self._machine.split(":")

    def park(self, endpoint: CallbackEndpoint, timeout: float) -> None:
        key = id(endpoint)
        with self._cond:
            self._parked[key] = self.clock.now + timeout
            self._cond.notify_all()
            while not endpoint._notify_event.is_set() and self.clock.now < self._parked[key]:
                self._cond.wait(0.05)
            del self._parked[key]

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
                parked = dict(self._parked)
            if len(parked) >= running or time.monotonic() > limit:
                break
            time.sleep(0.005)
        with self._cond:
            now = self.clock.now
            target = min([*self._parked.values(), now + most])
            self.clock.advance(max(0.0, target - now))  # 0: a wake is due now, let it run
            self._cond.notify_all()
        return running
