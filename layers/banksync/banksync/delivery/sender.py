"""One signed POST of a notification (Standard Webhooks), and what came of it."""

import time
from datetime import datetime
from typing import Any

import httpx
from standardwebhooks import Webhook

from banksync.clock import iso

TIMEOUT_SECONDS = 10.0


class WebhookSender:
    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        # No redirects: a 3xx is an answer, not an invitation to POST elsewhere.
        self._http = httpx.Client(
            timeout=TIMEOUT_SECONDS, follow_redirects=False, transport=transport
        )

    def send(
        self, url: str, secret: str, delivery_id: str, payload: str, at: datetime
    ) -> dict[str, Any]:
        headers = {
            "content-type": "application/json",
            "user-agent": "banksync-webhooks/1",
            "webhook-id": delivery_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(delivery_id, at, payload),
        }
        attempt: dict[str, Any] = {"at": iso(at)}
        started = time.perf_counter()
        try:
            response = self._http.post(url, content=payload.encode(), headers=headers)
            attempt["status_code"] = response.status_code
        except httpx.TimeoutException:
            attempt["error"] = f"no answer within {TIMEOUT_SECONDS:.0f} s"
        except httpx.HTTPError as error:
            attempt["error"] = f"{type(error).__name__}: {error}"[:300]
        attempt["latency_ms"] = round((time.perf_counter() - started) * 1000)
        return attempt
