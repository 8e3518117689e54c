"""Settings of the refresh workflow's functions, checked at cold start."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Self

from banksync.environment import env_int, env_str
from banksync.provider.settings import ProviderSettings, ProvidersSettings


@dataclass(frozen=True, slots=True)
class WorkflowSettings:
    data_table_name: str
    provider: ProviderSettings = field(default_factory=ProviderSettings)
    initial_wait_seconds: int = 30
    poll_interval_seconds: int = 15
    max_wait_seconds: int = 120
    deadline_seconds: int = 900
    unavailable_retry_seconds: int = 20
    max_unavailable_attempts: int = 5
    # An item never started (waiting for the budget) is given up only this late: well
    # inside an execution's 25,000 history events, a round every budget window.
    pending_limit_seconds: int = 4 * 3600
    # While the provider's webhooks are reliable, a parked run polls this late.
    webhook_fallback_seconds: int = 600
    # Webhooks are relied on while one announced a record this recently.
    webhook_trust_seconds: int = 3600
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
            provider=providers.each[0],
            providers=providers,
            initial_wait_seconds=env_int("REFRESH_INITIAL_WAIT_SECONDS", 30, 0, environ),
            poll_interval_seconds=env_int("REFRESH_POLL_INTERVAL_SECONDS", 15, 1, environ),
            max_wait_seconds=env_int("REFRESH_MAX_WAIT_SECONDS", 120, 1, environ),
            deadline_seconds=env_int("REFRESH_DEADLINE_SECONDS", 900, 1, environ),
            webhook_fallback_seconds=env_int("WEBHOOK_FALLBACK_SECONDS", 600, 1, environ),
        )
