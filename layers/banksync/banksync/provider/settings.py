"""Where the provider is, the key to call it with, and banksync's budget for it.

Read once, here, for every function that calls the provider or paces the calls
(the refresh tasks, the push fetcher, the batcher), so they cannot disagree on
a default.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from banksync.environment import env_int, env_str

# Calls a minute banksync allows itself when the stack does not say (the
# template's ProviderRatePerMinute default: 10 below Okra's 60).
DEFAULT_RATE_PER_MINUTE = 50


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    base_url: str = ""
    secret_key_arn: str = ""
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        """A function that calls the provider: its address and key are required."""
        return cls(
            base_url=env_str("OKRA_BASE_URL", environ),
            secret_key_arn=env_str("OKRA_SECRET_KEY_ARN", environ),
            rate_per_minute=rate_per_minute(environ),
        )


def rate_per_minute(environ: Mapping[str, str] | None = None) -> int:
    """The budget alone, for a function that paces calls without making them."""
    return env_int("PROVIDER_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE, 1, environ)
