"""The operator API function's settings, checked at cold start."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from banksync.environment import env_int, env_str


@dataclass(frozen=True, slots=True)
class ApiSettings:
    data_table_name: str
    idempotency_table_name: str
    refresh_state_machine_arn: str
    refresh_deadline_seconds: int

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        return cls(
            data_table_name=env_str("DATA_TABLE_NAME", environ),
            idempotency_table_name=env_str("IDEMPOTENCY_TABLE_NAME", environ),
            refresh_state_machine_arn=env_str("REFRESH_STATE_MACHINE_ARN", environ),
            refresh_deadline_seconds=env_int("REFRESH_DEADLINE_SECONDS", 900, environ=environ),
        )
