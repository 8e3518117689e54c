"""Settings of the push listener and fetcher, checked at cold start."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Self

from banksync.environment import env_int, env_str
from banksync.provider.settings import ProviderSettings, ProvidersSettings


@dataclass(frozen=True, slots=True)
class PushSettings:
    data_table_name: str
    push_queue_url: str
    provider: ProviderSettings = field(default_factory=ProviderSettings)
    # How long after the webhook a callback that is not ready yet is asked again.
    deadline_seconds: int = 1800
    not_ready_retry_seconds: int = 30
    unavailable_retry_seconds: int = 20
    max_unavailable_attempts: int = 5
    # Two webhooks for one record's product this close together are one update.
    duplicate_window_seconds: int = 600
    # Every switched-on provider (None: ``provider`` alone).
    providers: ProvidersSettings | None = None

    @property
    def every_provider(self) -> ProvidersSettings:
        return self.providers or ProvidersSettings((self.provider,))

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        providers = ProvidersSettings.from_environ(environ)
        return cls(
            data_table_name=env_str("DATA_TABLE_NAME", environ),
            push_queue_url=env_str("PUSH_QUEUE_URL", environ),
            provider=providers.each[0],
            providers=providers,
            deadline_seconds=env_int("PUSH_DEADLINE_SECONDS", 1800, 60, environ),
        )

    @classmethod
    def for_listener(cls, environ: Mapping[str, str] | None = None) -> Self:
        """The listener never calls the provider: it needs the table and the queue only."""
        return cls(
            data_table_name=env_str("DATA_TABLE_NAME", environ),
            push_queue_url=env_str("PUSH_QUEUE_URL", environ),
        )
