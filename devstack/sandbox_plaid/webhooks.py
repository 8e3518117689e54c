"""Plaid's side of webhooks: POSTed as raw JSON to the Item's webhook URL, signed
in ``Plaid-Verification``.

As Plaid documents: a webhook not answered 200 within 10 seconds is retried for up
to 24 hours, 30 seconds after the first try and each wait 4 times the last; no
retries to a receiver that rejected more than 90% of the webhooks sent it in the
last 24 hours. A retry repeats the same body, signed afresh (``iat`` is the time
of that try). Time is the sandbox's clock: ``deliver_due()`` sends what is due.
"""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from devstack.sandbox_plaid.signing import KeyRing

DAY = 86_400.0
TIMEOUT_SECONDS = 10.0
DUPLICATE_GAP_SECONDS = 5.0


@dataclass
class Outgoing:
    url: str
    payload: dict[str, Any]
    due_at: float
    order: int
    attempts: list[int | str] = field(default_factory=list)  # status codes or errors


@dataclass(frozen=True)
class Sent:
    url: str
    payload: dict[str, Any]
    at: float
    status: int | str
    body: bytes
    verification: str


class PlaidOutbox:
    def __init__(
        self,
        clock: Callable[[], float],
        keys: KeyRing,
        retry_delays: tuple[float, ...],
        rejection_cutoff: float = 0.9,
    ) -> None:
        self.clock = clock
        self.keys = keys
        self.retry_delays = retry_delays
        self.rejection_cutoff = rejection_cutoff
        self.sent: list[Sent] = []
        self.dropped: list[dict[str, Any]] = []
        self.abandoned: list[Outgoing] = []
        self._waiting: list[Outgoing] = []
        self._queued = 0
        self._http = httpx.Client(timeout=httpx.Timeout(TIMEOUT_SECONDS))
        self._lock = threading.Lock()

    def deliver_through(self, transport: httpx.BaseTransport | None) -> None:
        """Where webhooks go over HTTP: a transport (a test's receiver) or the network."""
        self._http = httpx.Client(transport=transport, timeout=httpx.Timeout(TIMEOUT_SECONDS))

    def queue(self, url: str, payload: dict[str, Any], at: float) -> None:
        with self._lock:
            self._queued += 1
            self._waiting.append(Outgoing(url, payload, at, self._queued))

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def next_due(self) -> float | None:
        with self._lock:
            return min((w.due_at for w in self._waiting), default=None)

    def deliver_due(self) -> int:
        """POST every webhook due by now, in the order it fell due; returns how many got 200."""
        now = self.clock()
        with self._lock:
            due = sorted(
                (w for w in self._waiting if w.due_at <= now), key=lambda w: (w.due_at, w.order)
            )
            self._waiting = [w for w in self._waiting if w.due_at > now]
        delivered = 0
        for outgoing in due:
            if outgoing.attempts and self._receiver_rejects(outgoing.url, now):
                self.abandoned.append(outgoing)
                continue
            status = self._post(outgoing, now)
            outgoing.attempts.append(status)
            if status == 200:
                delivered += 1
                continue
            retries = len(outgoing.attempts) - 1
            if retries >= len(self.retry_delays) or self._receiver_rejects(outgoing.url, now):
                self.abandoned.append(outgoing)
                continue
            outgoing.due_at = now + self.retry_delays[retries]
            with self._lock:
                self._waiting.append(outgoing)
        return delivered

    def _receiver_rejects(self, url: str, now: float) -> bool:
        # Ten tries at least before judging: one early failure is not "more than 90%".
        recent = [s for s in self.sent if s.url == url and s.at > now - DAY]
        rejected = sum(1 for s in recent if s.status != 200)
        return len(recent) >= 10 and rejected > self.rejection_cutoff * len(recent)

    def _post(self, outgoing: Outgoing, now: float) -> int | str:
        body = json.dumps(outgoing.payload, indent=2).encode()
        verification = self.keys.sign(body, now)
        headers = {"Content-Type": "application/json", "Plaid-Verification": verification}
        try:
            status: int | str = self._http.post(
                outgoing.url, content=body, headers=headers
            ).status_code
        except httpx.HTTPError as error:
            status = type(error).__name__
        self.sent.append(Sent(outgoing.url, outgoing.payload, now, status, body, verification))
        return status
