"""One signed POST of a notification (Standard Webhooks), and what came of it."""

import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as DeadlinePassed
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks import Webhook

from banksync.clock import iso
from banksync.delivery.flow import flow_headers

TIMEOUT_SECONDS = 10.0


class WebhookSender:
    def __init__(
        self, transport: httpx.BaseTransport | None = None, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self._timeout = timeout
        # No redirects: a 3xx is an answer, not an invitation to POST elsewhere.
        self._http = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport)
        # httpx's timeout is per phase (connect, write, each read); a receiver
        # trickling bytes could hold an attempt for long. The whole exchange gets
        # 10 s here; an abandoned exchange is left to its own per-phase timeouts.
        self._deadline = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook")

    def send(
        self,
        url: str,
        secrets: str | list[str],
        delivery_id: str,
        payload: str,
        at: datetime,
        connect_to: str | None = None,
    ) -> dict[str, Any]:
        """POST to ``url``; with ``connect_to``, to that address only (the one checked),
        keeping the URL's host for the Host header and for TLS (SNI, certificate).

        Signed with each of ``secrets`` (the new one first during a rotation's
        overlap): space-separated signatures, any one of which verifies."""
        # The signed timestamp and the header must be one instant: standardwebhooks
        # reads a datetime's wall clock as UTC, so the time is made UTC first.
        at = at.astimezone(UTC)
        target = httpx.URL(url)
        headers = {
            "content-type": "application/json",
            "user-agent": "banksync-webhooks/1",
            "webhook-id": delivery_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": " ".join(
                Webhook(secret).sign(delivery_id, at, payload)
                for secret in ([secrets] if isinstance(secrets, str) else secrets)
            ),
        }
        attempt: dict[str, Any] = {"at": iso(at)}
        started = time.perf_counter()
        extensions = {}
        if connect_to:
            headers["host"] = target.netloc.decode()
            if target.scheme == "https":
                extensions["sni_hostname"] = target.host
            target = target.copy_with(host=connect_to)
        request = self._http.build_request(
            "POST", target, content=payload.encode(), headers=headers, extensions=extensions
        )
        exchange = self._deadline.submit(self._http.send, request)
        try:
            response = exchange.result(timeout=self._timeout)
        except (httpx.TimeoutException, DeadlinePassed):
            attempt["error"] = f"no answer within {self._timeout:g} s"
            attempt["error_class"] = "timeout"
        except httpx.HTTPError as error:
            attempt["error"] = f"{type(error).__name__}: {error}"[:300]
            attempt["error_class"] = (
                "connect" if isinstance(error, httpx.ConnectError) else "network"
            )
        else:
            attempt |= flow_headers(response)
        attempt["latency_ms"] = round((time.perf_counter() - started) * 1000)
        return attempt
