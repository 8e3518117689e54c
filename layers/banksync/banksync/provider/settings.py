"""Where each provider is, the key to call it with, and banksync's budget for it.

Read once, here, for every function that calls a provider or paces the calls
(the refresh tasks, the push fetcher, the batcher), so they cannot disagree on
a default. ``PROVIDERS`` names the providers the stack has switched on; each
one's variables carry its name (``MONO_BASE_URL``, ``MONO_SECRET_KEY_ARN``,
``MONO_RATE_PER_MINUTE``).
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from banksync.environment import ConfigurationError, env_int, env_str
from banksync.provider.names import (
    DEFAULT_PROVIDER,
    PROVIDER_NAMES,
    ProviderName,
    ProviderOffError,
    is_provider_name,
)

# Calls a minute banksync allows itself when the stack does not say (the
# template's ProviderRatePerMinute default: 10 below Okra's 60).
DEFAULT_RATE_PER_MINUTE = 50


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    base_url: str = ""
    secret_key_arn: str = ""
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE
    name: ProviderName = DEFAULT_PROVIDER

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, name: ProviderName = DEFAULT_PROVIDER
    ) -> Self:
        """A function that calls the provider: its address and key are required."""
        prefix = name.upper()
        return cls(
            base_url=env_str(f"{prefix}_BASE_URL", environ),
            secret_key_arn=env_str(f"{prefix}_SECRET_KEY_ARN", environ),
            rate_per_minute=rate_per_minute(environ, name),
            name=name,
        )


def switched_on(environ: Mapping[str, str] | None = None) -> tuple[ProviderName, ...]:
    """The providers the stack has switched on (``PROVIDERS``; the default one alone
    when the stack does not say)."""
    raw = (os.environ if environ is None else environ).get("PROVIDERS", "").strip()
    if not raw:
        return (DEFAULT_PROVIDER,)
    names = [part.strip().lower() for part in raw.split(",") if part.strip()]
    unknown = [name for name in names if not is_provider_name(name)]
    if unknown or not names:
        known = ", ".join(PROVIDER_NAMES)
        raise ConfigurationError(f"environment variable PROVIDERS names {unknown}: not {known}")
    return tuple(name for name in PROVIDER_NAMES if name in names)


@dataclass(frozen=True, slots=True)
class ProvidersSettings:
    """Every switched-on provider's settings."""

    each: tuple[ProviderSettings, ...]

    @classmethod
    def from_environ(
        cls,
        environ: Mapping[str, str] | None = None,
        among: tuple[ProviderName, ...] = PROVIDER_NAMES,
    ) -> Self:
        """``among``: only these providers, for a function that calls no other (the
        others' variables are then not its to read)."""
        names = [name for name in switched_on(environ) if name in among]
        return cls(tuple(ProviderSettings.from_environ(environ, name) for name in names))

    def named(self, name: str) -> ProviderSettings:
        for settings in self.each:
            if settings.name == name:
                return settings
        raise ProviderOffError(name)

    @property
    def names(self) -> tuple[ProviderName, ...]:
        return tuple(settings.name for settings in self.each)


def rate_per_minute(
    environ: Mapping[str, str] | None = None, name: ProviderName = DEFAULT_PROVIDER
) -> int:
    """The budget alone, for a function that paces calls without making them. The
    default provider's is also ``PROVIDER_RATE_PER_MINUTE``, its name before a second."""
    fallback = DEFAULT_RATE_PER_MINUTE
    if name == DEFAULT_PROVIDER:
        fallback = env_int("PROVIDER_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE, 1, environ)
    return env_int(f"{name.upper()}_RATE_PER_MINUTE", fallback, 1, environ)
