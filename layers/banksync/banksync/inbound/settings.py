"""The webhook receiver's settings, checked at cold start."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from banksync.environment import env_int, env_str


@dataclass(frozen=True, slots=True)
class ReceiverSettings:
    events_table_name: str
    webhook_token_secret: str
    event_retention_days: int
    token_cache_seconds: int

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        return cls(
            events_table_name=env_str("EVENTS_TABLE_NAME", environ),
            webhook_token_secret=env_str("WEBHOOK_TOKEN_SECRET_ARN", environ),
            event_retention_days=env_int("EVENT_RETENTION_DAYS", 90, environ=environ),
            token_cache_seconds=env_int("WEBHOOK_TOKEN_CACHE_SECONDS", 300, environ=environ),
        )
