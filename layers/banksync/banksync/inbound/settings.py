"""The webhook receiver's settings, checked at cold start."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Self

from banksync.environment import ConfigurationError, env_int, env_str
from banksync.provider.names import ProviderName
from banksync.provider.settings import switched_on

# The secret each provider's webhooks are checked against (Okra's bearer token
# kept its name from before a second provider).
SECRET_VARIABLES: dict[ProviderName, str] = {
    "okra": "WEBHOOK_TOKEN_SECRET_ARN",
    "mono": "MONO_WEBHOOK_SECRET_ARN",
}


@dataclass(frozen=True, slots=True)
class ReceiverSettings:
    events_table_name: str
    event_retention_days: int
    token_cache_seconds: int
    # Every switched-on provider's webhook secret, by provider.
    webhook_secrets: Mapping[ProviderName, str] = field(default_factory=dict)
    # Where a provider's webhooks may come from (a provider not named: anywhere).
    sources: Mapping[ProviderName, tuple[IPv4Network | IPv6Network, ...]] = field(
        default_factory=dict
    )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        secrets = {name: env_str(SECRET_VARIABLES[name], environ) for name in switched_on(environ)}
        return cls(
            events_table_name=env_str("EVENTS_TABLE_NAME", environ),
            event_retention_days=env_int("EVENT_RETENTION_DAYS", 90, environ=environ),
            token_cache_seconds=env_int("WEBHOOK_TOKEN_CACHE_SECONDS", 300, environ=environ),
            webhook_secrets=secrets,
            sources=_sources(environ),
        )


def _sources(
    environ: Mapping[str, str] | None,
) -> dict[ProviderName, tuple[IPv4Network | IPv6Network, ...]]:
    raw = (os.environ if environ is None else environ).get("MONO_WEBHOOK_SOURCE_CIDRS", "")
    blocks = [block.strip() for block in raw.split(",") if block.strip()]
    try:
        networks = tuple(ip_network(block, strict=False) for block in blocks)
    except ValueError as error:
        raise ConfigurationError(f"MONO_WEBHOOK_SOURCE_CIDRS: {error}") from None
    return {"mono": networks} if networks else {}
