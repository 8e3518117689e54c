"""Plaid's answers and refusals, read once: a refusal becomes banksync's typed error or
an outcome the flows already know.

Plaid's errors are ``{error_type, error_code, error_message, display_message,
request_id}`` with an HTTP status. banksync's messages name the endpoint, the
type, the code and the request id, never Plaid's ``error_message`` (it may
echo what was sent) and never a token.
"""

import json
from dataclasses import dataclass
from typing import Any

from banksync.provider.errors import (
    RATE_LIMIT_WAIT_SECONDS,
    BadRequestError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitedError,
    UnauthorisedError,
)

REAUTH_CODES = frozenset({"ITEM_LOGIN_REQUIRED", "PENDING_EXPIRATION", "PENDING_DISCONNECT"})
NOT_ENABLED_CODES = frozenset(
    {"PRODUCT_NOT_ENABLED", "PRODUCTS_NOT_SUPPORTED", "INVALID_PRODUCT", "PRODUCT_NOT_READY"}
)
UNAVAILABLE_TYPES = frozenset({"API_ERROR", "INSTITUTION_ERROR"})
UNAUTHORISED_CODES = frozenset({"INVALID_API_KEYS", "UNAUTHORIZED_ENVIRONMENT"})
MUTATION = "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"


@dataclass(frozen=True, slots=True)
class Refusal:
    """What Plaid said when it refused a call."""

    endpoint: str
    status: int
    error_type: str
    error_code: str
    request_id: str
    retry_after: str | None = None

    @property
    def reauth(self) -> bool:
        return self.error_code in REAUTH_CODES

    @property
    def not_enabled(self) -> bool:
        return self.error_code in NOT_ENABLED_CODES

    @property
    def mutation(self) -> bool:
        return self.error_code == MUTATION

    def words(self) -> str:
        said = "/".join(part for part in (self.error_type, self.error_code) if part)
        request = f", request {self.request_id}" if self.request_id else ""
        return f"Plaid refused {self.endpoint} ({self.status} {said or 'no error code'}{request})"

    def error(self) -> ProviderError:
        """The error a caller reacts to (an outcome-shaped refusal is read before this)."""
        if self.status == 429 or "RATE_LIMIT_EXCEEDED" in (self.error_type, self.error_code):
            return RateLimitedError(self.words(), _seconds(self.retry_after))
        if self.status >= 500 or self.error_type in UNAVAILABLE_TYPES:
            return ProviderUnavailableError(self.words())
        if self.status in (401, 403) or self.error_code in UNAUTHORISED_CODES:
            return UnauthorisedError(self.words())
        return BadRequestError(self.words())


def refusal_of(endpoint: str, status: int, body: Any, headers: Any) -> Refusal:
    said = parse(body)
    retry_after = None
    if headers is not None:
        retry_after = headers.get("Retry-After") or headers.get("retry-after")
    return Refusal(
        endpoint=endpoint,
        status=int(status or 0),
        error_type=_word(said.get("error_type")),
        error_code=_word(said.get("error_code")),
        request_id=_word(said.get("request_id")),
        retry_after=retry_after if isinstance(retry_after, str) else None,
    )


def parse(body: Any) -> dict[str, Any]:
    """A JSON object of Plaid's answer, or {} when it is not one."""
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str):
        return {}
    try:
        found = json.loads(body)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _word(value: Any) -> str:
    if isinstance(value, str) and value.isascii() and value.isprintable() and len(value) <= 128:
        return value
    return ""


def _seconds(value: str | None) -> int:
    if value is not None and value.strip().isdigit():
        return max(1, min(int(value.strip()), 3600))
    return RATE_LIMIT_WAIT_SECONDS
