"""What a Plaid sandbox starts with, and the knobs Plaid's docs leave to it."""

import hashlib
import string
from dataclasses import dataclass, field

_ALPHABET = string.ascii_letters + string.digits

# The sandbox's own keys, shaped like Plaid's; not credentials.
SANDBOX_CLIENT_ID = "sandbox0client0id0000000"
SANDBOX_SECRET = "sandbox0secret000000000000000"  # noqa: S105

# Plaid retries a webhook that got no 200 within 10 seconds "for up to 24 hours",
# the first retry after 30 seconds and each delay 4 times the one before: the
# delays that fit in 24 hours.
RETRY_DELAYS: tuple[float, ...] = (30.0, 120.0, 480.0, 1920.0, 7680.0, 30_720.0)


@dataclass(frozen=True)
class RateLimit:
    """Calls a minute per Item and per client, and the error code Plaid names."""

    per_item: int | None
    per_client: int | None
    error_code: str


# Plaid's published table (Production); the sandbox applies it as its default.
# /transactions/refresh is not in the table: the sandbox's own figure.
RATE_LIMITS: dict[str, RateLimit] = {
    "/accounts/get": RateLimit(15, 15_000, "ACCOUNTS_LIMIT"),
    "/accounts/balance/get": RateLimit(None, 1_200, "ACCOUNTS_BALANCE_GET_LIMIT"),
    "/transactions/sync": RateLimit(50, 2_500, "TRANSACTIONS_SYNC_LIMIT"),
    "/transactions/refresh": RateLimit(2, 100, "TRANSACTIONS_LIMIT"),
}


@dataclass(frozen=True)
class PlaidAccountSpec:
    account_id: str
    name: str = "Plaid Checking"
    official_name: str | None = "Plaid Gold Standard 0% Interest Checking"
    mask: str = "0000"
    type: str = "depository"
    subtype: str = "checking"
    current: float = 110.0
    available: float | None = 100.0
    currency: str = "USD"


@dataclass
class PlaidWorld:
    client_id: str = SANDBOX_CLIENT_ID
    secrets: tuple[str, ...] = (SANDBOX_SECRET,)
    # Products the client (the business) may use; refresh needs "transactions_refresh".
    client_products: tuple[str, ...] = ("transactions", "transactions_refresh")
    # Days of posted history a new Item starts with, one transaction a day per account.
    history_days: int = 30
    # Plaid extracts every Item's transactions "one or more times a day".
    extraction_seconds: float | None = 6 * 3600.0
    # New pending transactions each extraction adds per account; each posts at the next.
    new_per_extraction: int = 1
    sync_count_default: int = 100
    sync_count_max: int = 500
    public_token_ttl: float = 1800.0  # Plaid: a public_token expires after 30 minutes
    link_token_ttl: float = 4 * 3600.0  # Plaid: a link_token expires after 4 hours
    # Days before the consent expires that PENDING_EXPIRATION is sent (Plaid: 7 days).
    pending_expiration_notice: float = 7 * 86_400.0
    rate_limits: dict[str, RateLimit] = field(default_factory=lambda: dict(RATE_LIMITS))
    retry_delays: tuple[float, ...] = RETRY_DELAYS
    # Plaid stops retrying when a receiver rejected more than 90% of webhooks in 24 hours.
    rejection_cutoff: float = 0.9
    # /sandbox/item/reset_login also sends ITEM: ERROR (Plaid's docs do not say).
    reset_login_webhook: bool = True
    # Also send the /transactions/get era webhooks Plaid keeps sending alongside.
    legacy_webhooks: bool = True
    institution_id: str = "ins_109508"
    institution_name: str = "First Platypus Bank"


def default_accounts(seed: str) -> list[PlaidAccountSpec]:
    """Plaid's sandbox user: a checking and a savings account."""
    return [
        PlaidAccountSpec(plaid_id(seed, "checking"), mask="0000"),
        PlaidAccountSpec(
            plaid_id(seed, "savings"),
            name="Plaid Saving",
            official_name="Plaid Silver Standard 0.1% Interest Saving",
            mask="1111",
            subtype="savings",
            current=210.0,
            available=200.0,
        ),
    ]


def plaid_id(*parts: str, length: int = 37) -> str:
    """A stable id shaped like Plaid's (letters and digits, 37 long) for ``parts``."""
    number = int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest())
    chars = []
    for _ in range(length):
        number, index = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    return "".join(chars)
