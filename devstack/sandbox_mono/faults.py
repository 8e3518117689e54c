"""Faults a test or the demo switches on: failed or slow answers, lost or repeated webhooks.

Each fault serves a number of times, then stops; ``path_contains`` narrows an HTTP
fault to matching paths (an account id, ``/transactions``), ``event`` a webhook
fault to one event name.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass

SERVER_ERRORS = (429, 500, 502, 503, 504)


@dataclass
class _Fault:
    remaining: int
    match: str | None
    status: int = 0
    seconds: float = 0.0


class Faults:
    def __init__(self) -> None:
        self._errors: list[_Fault] = []
        self._slow: list[_Fault] = []
        self._drops: list[_Fault] = []
        self._duplicates: list[_Fault] = []
        self._lock = threading.Lock()

    def fail_next(self, status: int, times: int = 1, path_contains: str | None = None) -> None:
        """The next ``times`` matching calls answer ``status`` (429 or a 5xx)."""
        if status not in SERVER_ERRORS:
            raise ValueError(f"status must be one of {SERVER_ERRORS}")
        with self._lock:
            self._errors.append(_Fault(times, path_contains, status=status))

    def slow_next(self, seconds: float, times: int = 1, path_contains: str | None = None) -> None:
        """The next ``times`` matching calls take ``seconds`` (on the sandbox's sleep)."""
        with self._lock:
            self._slow.append(_Fault(times, path_contains, seconds=seconds))

    def drop_webhooks(self, count: int = 1, event: str | None = None) -> None:
        """The next ``count`` webhooks (of ``event``) are never sent."""
        with self._lock:
            self._drops.append(_Fault(count, event))

    def duplicate_webhooks(self, count: int = 1, event: str | None = None) -> None:
        """The next ``count`` webhooks (of ``event``) are sent twice."""
        with self._lock:
            self._duplicates.append(_Fault(count, event))

    def error_for(self, path: str) -> int | None:
        fault = self._take(self._errors, lambda match: match in path)
        return fault.status if fault else None

    def delay_for(self, path: str) -> float:
        fault = self._take(self._slow, lambda match: match in path)
        return fault.seconds if fault else 0.0

    def drops(self, event: str) -> bool:
        return self._take(self._drops, lambda match: match == event) is not None

    def duplicates(self, event: str) -> bool:
        return self._take(self._duplicates, lambda match: match == event) is not None

    def _take(self, faults: list[_Fault], matches: Callable[[str], bool]) -> _Fault | None:
        with self._lock:
            for fault in faults:
                if fault.remaining > 0 and (fault.match is None or matches(fault.match)):
                    fault.remaining -= 1
                    return fault
        return None
