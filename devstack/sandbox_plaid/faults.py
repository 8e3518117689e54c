"""Faults a test or the demo switches on: errors, slow answers, lost or repeated webhooks.

Each fault serves a number of times, then stops; ``path_contains`` narrows an HTTP
fault to matching endpoints (``/transactions/sync``), ``code`` a webhook fault to
one ``webhook_code``.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass

from devstack.sandbox_plaid.errors import ERRORS

INJECTABLE = (
    "INTERNAL_SERVER_ERROR",
    "PLANNED_MAINTENANCE",
    "RATE_LIMIT_EXCEEDED",
    "INSTITUTION_DOWN",
    "ITEM_LOGIN_REQUIRED",
)


@dataclass
class _Fault:
    remaining: int
    match: str | None
    code: str = ""
    seconds: float = 0.0


class Faults:
    def __init__(self) -> None:
        self._errors: list[_Fault] = []
        self._slow: list[_Fault] = []
        self._drops: list[_Fault] = []
        self._duplicates: list[_Fault] = []
        self._lock = threading.Lock()

    def fail_next(
        self, code: str = "INTERNAL_SERVER_ERROR", times: int = 1, path_contains: str | None = None
    ) -> None:
        """The next ``times`` matching calls answer Plaid's ``code`` error, its status."""
        if code not in INJECTABLE or code not in ERRORS:
            raise ValueError(f"code must be one of {INJECTABLE}")
        with self._lock:
            self._errors.append(_Fault(times, path_contains, code=code))

    def slow_next(self, seconds: float, times: int = 1, path_contains: str | None = None) -> None:
        """The next ``times`` matching calls take ``seconds`` (on the sandbox's sleep)."""
        with self._lock:
            self._slow.append(_Fault(times, path_contains, seconds=seconds))

    def drop_webhooks(self, count: int = 1, code: str | None = None) -> None:
        """The next ``count`` webhooks (of ``webhook_code`` ``code``) are never sent."""
        with self._lock:
            self._drops.append(_Fault(count, code))

    def duplicate_webhooks(self, count: int = 1, code: str | None = None) -> None:
        """The next ``count`` webhooks (of ``code``) are sent twice."""
        with self._lock:
            self._duplicates.append(_Fault(count, code))

    def error_for(self, path: str) -> str | None:
        fault = self._take(self._errors, lambda match: match in path)
        return fault.code if fault else None

    def delay_for(self, path: str) -> float:
        fault = self._take(self._slow, lambda match: match in path)
        return fault.seconds if fault else 0.0

    def drops(self, code: str) -> bool:
        return self._take(self._drops, lambda match: match == code) is not None

    def duplicates(self, code: str) -> bool:
        return self._take(self._duplicates, lambda match: match == code) is not None

    def _take(self, faults: list[_Fault], matches: Callable[[str], bool]) -> _Fault | None:
        with self._lock:
            for fault in faults:
                if fault.remaining > 0 and (fault.match is None or matches(fault.match)):
                    fault.remaining -= 1
                    return fault
        return None
