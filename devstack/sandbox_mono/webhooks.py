"""Mono's side of webhooks: POSTed to the business's URL with its ``mono-webhook-secret``.

Mono's docs say only that webhooks a URL did not take "will be retried" and that
an endpoint must answer 2xx. The sandbox's schedule (``RETRY_DELAYS``, each the
wait after a failed try) is its own choice, configurable per sandbox: a minute,
five minutes, fifteen, an hour, three hours, six hours, then it gives up. A
retry repeats the same payload, ``event_id`` included. Time is the sandbox's
clock: ``deliver_due()`` sends what is due by then, in the order it fell due.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

RETRY_DELAYS: tuple[float, ...] = (60.0, 300.0, 900.0, 3600.0, 10_800.0, 21_600.0)
DUPLICATE_GAP_SECONDS = 5.0


@dataclass
class Outgoing:
    payload: dict[str, Any]
    due_at: float
    order: int
    attempts: list[int | str] = field(default_factory=list)  # status codes or errors


@dataclass(frozen=True)
class Sent:
    payload: dict[str, Any]
    at: float
    status: int | str
    secret: str | None


class MonoOutbox:
    def __init__(
        self, clock: Callable[[], float], retry_delays: tuple[float, ...] = RETRY_DELAYS
    ) -> None:
        self.clock = clock
        self.retry_delays = retry_delays
        self.url: str | None = None
        self.secret: str | None = None
        self.sent: list[Sent] = []
        self.dropped: list[dict[str, Any]] = []
        self.abandoned: list[Outgoing] = []
        self._waiting: list[Outgoing] = []
        self._queued = 0
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    def send_to(
        self, url: str, secret: str | None, transport: httpx.BaseTransport | None = None
    ) -> None:
        """The app's webhook URL and the secret Mono generated for it (the dashboard's)."""
        self.url, self.secret = url, secret
        self._http = httpx.Client(transport=transport, timeout=httpx.Timeout(10.0))

    def queue(self, payload: dict[str, Any], at: float) -> None:
        with self._lock:
            self._queued += 1
            self._waiting.append(Outgoing(payload, at, self._queued))

    def drop(self, payload: dict[str, Any]) -> None:
        self.dropped.append(payload)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def next_due(self) -> float | None:
        with self._lock:
            return min((w.due_at for w in self._waiting), default=None)

    def deliver_due(self) -> int:
        """POST every webhook due by now; returns how many were answered 2xx."""
        if self._http is None or self.url is None:
            return 0
        now = self.clock()
        with self._lock:
            due = sorted(
                (w for w in self._waiting if w.due_at <= now), key=lambda w: (w.due_at, w.order)
            )
            self._waiting = [w for w in self._waiting if w.due_at > now]
        delivered = 0
        for outgoing in due:
            status = self._post(outgoing.payload)
            outgoing.attempts.append(status)
            self.sent.append(Sent(outgoing.payload, now, status, self.secret))
            if isinstance(status, int) and 200 <= status < 300:
                delivered += 1
                continue
            retries = len(outgoing.attempts) - 1
            if retries >= len(self.retry_delays):
                self.abandoned.append(outgoing)
                continue
            outgoing.due_at = now + self.retry_delays[retries]
            with self._lock:
                self._waiting.append(outgoing)
        return delivered

    def _post(self, payload: dict[str, Any]) -> int | str:
        if self._http is None or self.url is None:
            return "not configured"
        headers = {"mono-webhook-secret": self.secret} if self.secret else {}
        try:
            return self._http.post(self.url, json=payload, headers=headers).status_code
        except httpx.HTTPError as error:
            return type(error).__name__
