"""The batcher's settings, checked at cold start."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from banksync.environment import env_int, env_str
from banksync.provider.settings import DEFAULT_RATE_PER_MINUTE, rate_per_minute
from banksync.subscriptions.schedules import ScheduleTarget


@dataclass(frozen=True, slots=True)
class BatcherSettings:
    data_table_name: str
    refresh_state_machine_arn: str
    schedule_target: ScheduleTarget
    sweep_stale_after_hours: int = 26
    due_refresh_queue_url: str = ""
    provider_rate_per_minute: int = DEFAULT_RATE_PER_MINUTE

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        return cls(
            data_table_name=env_str("DATA_TABLE_NAME", environ),
            refresh_state_machine_arn=env_str("REFRESH_STATE_MACHINE_ARN", environ),
            schedule_target=ScheduleTarget.from_environ(environ),
            sweep_stale_after_hours=env_int("SWEEP_STALE_AFTER_HOURS", 26, 1, environ),
            due_refresh_queue_url=env_str("DUE_REFRESH_QUEUE_URL", environ),
            provider_rate_per_minute=rate_per_minute(environ),
        )
