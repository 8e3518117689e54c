"""Provider failures a caller must react to, each its own type, whichever the provider."""

# A 429 with no usable Retry-After holds calls this long.
RATE_LIMIT_WAIT_SECONDS = 60


class ProviderError(Exception):
    """The provider could not answer this call; the call may be retried or not."""

    retryable = False


class RateLimitedError(ProviderError):
    """429: the provider asks to try again after ``retry_after`` seconds."""

    retryable = True

    def __init__(self, message: str, retry_after: int = RATE_LIMIT_WAIT_SECONDS) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderUnavailableError(ProviderError):
    """5xx or no answer in time (the bank timed out): retry."""

    retryable = True


class UnauthorisedError(ProviderError):
    """401/403: our key is wrong or revoked. Retrying will not help."""


class BadRequestError(ProviderError):
    """4xx: the provider rejected what we sent. Retrying will not help."""


class BudgetExhaustedError(Exception):
    """Not a provider failure: banksync's own budget has no call to spare right now.

    Nothing was sent; the caller waits ``wait_seconds`` (or longer) and asks again.
    """

    def __init__(self, wait_seconds: float) -> None:
        super().__init__(f"no provider call to spare for {wait_seconds:.1f}s")
        self.wait_seconds = wait_seconds
