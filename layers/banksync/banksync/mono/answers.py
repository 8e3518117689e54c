"""Mono's HTTP answers read for the client: failures of the call as typed errors, and
the words (job status, re-authorisation) that decide a refresh's outcome.

No secret ever reaches an exception: Mono's own message is kept (it says what
Mono refused), cut short, with the key blanked if an answer ever echoed it.
"""

import math
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from banksync.provider.errors import (
    RATE_LIMIT_WAIT_SECONDS,
    BadRequestError,
    ProviderUnavailableError,
    RateLimitedError,
    UnauthorisedError,
)

if TYPE_CHECKING:
    import httpx

# A Retry-After beyond this is read as this: a hold is never longer than SQS can delay.
MAX_RETRY_AFTER_SECONDS = 900
MAX_MESSAGE = 300
REAUTH_WORDS = ("reauth", "re-auth", "re_auth")
JobState = Literal["processing", "finished", "failed", "reauth", "unknown"]
# Mono's job words: the real-time page's, and the changelog's sync statuses.
JOB_WORDS: dict[str, JobState] = {
    **dict.fromkeys(("finished", "successful", "success", "completed"), "finished"),
    **dict.fromkeys(("processing", "queued", "pending", "running", "in_progress"), "processing"),
    **dict.fromkeys(("failed", "failure", "error"), "failed"),
    **dict.fromkeys(("reauthorisation_required", "reauthorization_required"), "reauth"),
}


def raise_for_status(response: "httpx.Response", secret: str, now: datetime) -> None:
    """Raise the typed error of a 401/403, 429 or 5xx; other answers are the caller's."""
    status = response.status_code
    where = urlsplit(str(response.request.url)).path
    if status == 429:
        wait = retry_after(response.headers.get("retry-after"), now)
        raise RateLimitedError(message(response, f"rate limited on {where}", secret), wait)
    if status >= 500:
        raise ProviderUnavailableError(
            message(response, f"Mono answered {status} on {where}", secret)
        )
    if status in (401, 403):
        raise UnauthorisedError(message(response, f"Mono refused our key on {where}", secret))


def refusal(response: "httpx.Response", secret: str) -> BadRequestError:
    """A 4xx (or a ``failed`` answer) as the error that says what Mono refused."""
    where = urlsplit(str(response.request.url)).path
    default = f"Mono refused {response.request.method} {where} ({response.status_code})"
    found = message(response, "", secret)
    return BadRequestError(f"{default}: {found}" if found else default)


def retry_after(value: str | None, now: datetime) -> int:
    """Seconds to hold from a Retry-After in seconds or as an HTTP date."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit():
        seconds = int(text)
    else:
        try:
            seconds = math.ceil((parsedate_to_datetime(text) - now).total_seconds())
        except (TypeError, ValueError, IndexError, OverflowError):
            return RATE_LIMIT_WAIT_SECONDS
    return RATE_LIMIT_WAIT_SECONDS if seconds <= 0 else min(seconds, MAX_RETRY_AFTER_SECONDS)


def body(response: "httpx.Response") -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def message(response: "httpx.Response", default: str, secret: str) -> str:
    found = body(response)
    said = found.get("message") if isinstance(found, dict) else None
    text = said.strip() if isinstance(said, str) and said.strip() else default
    if secret:
        text = text.replace(secret, "***")
    return text[:MAX_MESSAGE]


def job_state(word: Any) -> JobState:
    return JOB_WORDS.get(word.strip().lower(), "unknown") if isinstance(word, str) else "unknown"


def says_reauth(response: "httpx.Response") -> bool:
    """Whether the answer asks for re-authorisation: the ``x-reauth-required`` header of
    older real-time answers, or a body whose code, status or message says so."""
    if response.headers.get("x-reauth-required", "").strip().lower() == "true":
        return True
    found = body(response)
    if not isinstance(found, dict):
        return False
    data = found.get("data")
    words = [found.get("code"), found.get("message")]
    if isinstance(data, dict):
        words += [data.get("status"), data.get("sync_status"), data.get("code")]
    said = " ".join(w.lower() for w in words if isinstance(w, str))
    return any(marker in said for marker in REAUTH_WORDS)


def header_flag(value: str | None) -> bool | None:
    """``x-has-new-data``: true, false, or None when Mono left it out."""
    if value is None:
        return None
    return value.strip().lower() == "true"
