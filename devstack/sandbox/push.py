"""The provider's side of webhooks: what Okra POSTs to a business, and when.

When a refresh's data is ready (one the business asked for, or the
provider's own periodic refresh of every connected account), Okra POSTs a
webhook to the business's URL with the bearer token set in its dashboard:
``BALANCE_SUCCESS``, ``INITIAL_TRANSACTIONS``/``PERIODIC_TRANSACTIONS``
(with ``new_transactions``) or ``TRANSACTIONS_DELETED`` (with
``removed_transactions``). An answer other than 200 is retried a minute
later, again and again, until 150 minutes have passed since the first try.
Time is the sandbox's clock: ``tick()`` sends what is due by then.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

RETRY_SECONDS = 60.0
GIVE_UP_AFTER_SECONDS = 150 * 60.0


@dataclass
class Outgoing:
    payload: dict[str, Any]
    due_at: float
    first_at: float | None = None
    attempts: list[int | str] = field(default_factory=list)  # status codes or errors


@dataclass(frozen=True)
class Sent:
    payload: dict[str, Any]
    at: float
    status: int | str


class WebhookOutbox:
    """Webhooks waiting to be POSTed, with Okra's retry schedule."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.url: str | None = None
        self.token: str | None = None
        self.sent: list[Sent] = []
        self.abandoned: list[Outgoing] = []
        self._waiting: list[Outgoing] = []
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    def send_to(
        self, url: str, token: str | None, transport: httpx.BaseTransport | None = None
    ) -> None:
        """Where webhooks go (the dashboard's webhook URL) and the bearer token they carry."""
        self.url, self.token = url, token
        self._http = httpx.Client(transport=transport, timeout=httpx.Timeout(10.0))

    def queue(self, payload: dict[str, Any], at: float) -> None:
        with self._lock:
            self._waiting.append(Outgoing(payload, at))

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def next_due(self) -> float | None:
        with self._lock:
            return min((w.due_at for w in self._waiting), default=None)

    def deliver_due(self) -> int:
        """POST every webhook due by now; returns how many were answered 200."""
        if self._http is None or self.url is None:
            return 0
        now = self.clock()
        with self._lock:
            due = sorted((w for w in self._waiting if w.due_at <= now), key=lambda w: w.due_at)
            self._waiting = [w for w in self._waiting if w.due_at > now]
        delivered = 0
        for outgoing in due:
            status = self._post(outgoing.payload)
            outgoing.first_at = outgoing.first_at if outgoing.first_at is not None else now
            outgoing.attempts.append(status)
            self.sent.append(Sent(outgoing.payload, now, status))
            if status == 200:
                delivered += 1
            elif now + RETRY_SECONDS - outgoing.first_at > GIVE_UP_AFTER_SECONDS:
                self.abandoned.append(outgoing)
            else:
                outgoing.due_at = now + RETRY_SECONDS
                with self._lock:
                    self._waiting.append(outgoing)
        return delivered

    def _post(self, payload: dict[str, Any]) -> int | str:
        if self._http is None or self.url is None:
            return "not configured"
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            return self._http.post(self.url, json=payload, headers=headers).status_code
        except httpx.HTTPError as error:
            return type(error).__name__


def webhook_payload(
    *,
    code: str,
    record_id: str,
    callback_url: str,
    customer_id: str,
    bank_id: str,
    bank_name: str,
    at: float,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An Okra callback webhook, shaped as the provider's (see shared/reference/okra)."""
    kind = "BALANCE" if code.startswith("BALANCE") else "TRANSACTIONS"
    when = datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")
    return {
        "method": kind,
        "callback_type": kind,
        "callback_code": code,
        "type": "CALLBACK",
        "code": code,
        "env": "production-sandbox",
        "status": "is_success",
        "started_at": when.replace("+00:00", "Z"),
        "ended_at": when.replace("+00:00", "Z"),
        "message": "Record callback started!",
        "bankName": bank_name,
        "bankId": bank_id,
        "record": record_id,
        "recordId": record_id,
        "callback_url": callback_url,
        "customerId": customer_id,
        "login_type": "bank",
        "country": "NG",
        **(extra or {}),
    }
