"""The operator API function's settings, checked at cold start."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from banksync.environment import env_bool, env_int, env_str
from banksync.subscriptions.schedules import ScheduleTarget


@dataclass(frozen=True, slots=True)
class ApiSettings:
    data_table_name: str
    idempotency_table_name: str
    refresh_state_machine_arn: str
    refresh_deadline_seconds: int
    schedule_target: ScheduleTarget
    signing_key_id: str
    allow_loopback_webhooks: bool
    due_refresh_queue_url: str = ""
    sweep_stale_after_hours: int = 26
    # Where clients reach this API, when API Gateway's own domain name is not it
    # (the offline stack serves plain http on loopback). Unset in AWS.
    public_api_url: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        return cls(
            data_table_name=env_str("DATA_TABLE_NAME", environ),
            idempotency_table_name=env_str("IDEMPOTENCY_TABLE_NAME", environ),
            refresh_state_machine_arn=env_str("REFRESH_STATE_MACHINE_ARN", environ),
            refresh_deadline_seconds=env_int("REFRESH_DEADLINE_SECONDS", 900, environ=environ),
            schedule_target=ScheduleTarget.from_environ(environ),
            signing_key_id=env_str("SIGNING_KEY_ID", environ),
            # Only the offline stack sets this: plain-http webhooks to loopback.
            allow_loopback_webhooks=env_bool("ALLOW_LOOPBACK_WEBHOOKS", False, environ),
            due_refresh_queue_url=env_str("DUE_REFRESH_QUEUE_URL", environ),
            sweep_stale_after_hours=env_int("SWEEP_STALE_AFTER_HOURS", 26, 1, environ),
            public_api_url=(os.environ if environ is None else environ).get("PUBLIC_API_URL")
            or None,
        )
