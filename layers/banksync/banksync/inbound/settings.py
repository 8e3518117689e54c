"""The webhook receiver's settings, checked at cold start."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Self

from banksync.environment import env_int, env_str
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
    webhook_token_secret: str
    event_retention_days: int
    token_cache_seconds: int
    # Every switched-on provider's webhook secret, by provider.
    webhook_secrets: Mapping[ProviderName, str] = field(default_factory=dict)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        secrets = {name: env_str(SECRET_VARIABLES[name], environ) for name in switched_on(environ)}
        return cls(
            events_table_name=env_str("EVENTS_TABLE_NAME", environ),
            webhook_token_secret=secrets.get("okra", ""),
            event_retention_days=env_int("EVENT_RETENTION_DAYS", 90, environ=environ),
            token_cache_seconds=env_int("WEBHOOK_TOKEN_CACHE_SECONDS", 300, environ=environ),
            webhook_secrets=secrets,
        )
