"""What an attempt's answer means for the delivery, as the Standard Webhooks spec asks.

- 2xx: delivered.
- 410 Gone: the endpoint is gone; the subscription's webhook is disabled (with the
  reason), the delivery abandoned.
- ``banksync-stop-retries: true`` on any other answer: the receiver stops the
  retries of this one message (``stopped``).
- 429 or 503 with ``Retry-After`` (seconds or an HTTP-date): the next attempt
  waits the longer of it and the schedule's minute, but never past the end of
  the 150-minute window: the last attempt is then made at its end.
- anything else: again a minute later, until 150 minutes have passed since the
  chain's first attempt.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from banksync.delivery.model import DeliveryStatus

RETRY_DELAY_SECONDS = 60
GIVE_UP_AFTER = timedelta(minutes=150)
STOP_HEADER = "banksync-stop-retries"
HONOURS_RETRY_AFTER = (429, 503)
# Attempts that say nothing about the endpoint (it was never asked).
NOT_ASKED = frozenset({"unsafe_address", "internal"})


@dataclass(frozen=True)
class Decision:
    status: DeliveryStatus
    reason: str | None = None
    next_attempt_at: datetime | None = None
    disable_webhook: str | None = None  # why the subscription's webhook is turned off


def flow_headers(response: httpx.Response) -> dict[str, Any]:
    """What of an answer is kept on the attempt: its code and its flow-control headers."""
    found: dict[str, Any] = {"status_code": response.status_code}
    retry_after = response.headers.get("retry-after")
    if retry_after is not None:
        found["retry_after"] = retry_after[:100]
    if response.headers.get(STOP_HEADER, "").strip().lower() == "true":
        found["stop_requested"] = True
    return found


def retry_after_seconds(value: str, now: datetime) -> float | None:
    """``Retry-After`` as seconds from ``now``: delay-seconds or an HTTP-date (RFC 9110);
    None when it is neither."""
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(int(text[:12]))
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:  # an HTTP-date is always GMT
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def decide(attempt: dict[str, Any], window_started: datetime, now: datetime) -> Decision:
    code = int(attempt.get("status_code") or 0)
    if 200 <= code < 300:
        return Decision("delivered")
    if code == 410:
        why = f"the endpoint answered 410 Gone at {attempt['at']}"
        return Decision("abandoned", why, disable_webhook=why)
    if attempt.get("stop_requested"):
        return Decision("stopped", f"the receiver answered {code} with {STOP_HEADER}: true")
    end = window_started + GIVE_UP_AFTER
    scheduled = now + timedelta(seconds=RETRY_DELAY_SECONDS)
    if scheduled > end:
        return Decision("abandoned", "no 2xx within 150 minutes")
    wait = float(RETRY_DELAY_SECONDS)
    if code in HONOURS_RETRY_AFTER and attempt.get("retry_after"):
        asked = retry_after_seconds(str(attempt["retry_after"]), now)
        wait = max(wait, asked or 0.0)
    next_at = min(now + timedelta(seconds=math.ceil(wait)), end)
    return Decision("pending", next_attempt_at=next_at)


def endpoint_failed(attempt: dict[str, Any]) -> bool:
    """Whether the attempt reached (or tried to reach) the endpoint and it did not take it."""
    if attempt.get("error_class") in NOT_ASKED:
        return False
    return not 200 <= int(attempt.get("status_code") or 0) < 300
