"""Settings of the notifier and the deliverer, checked at cold start."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from banksync.environment import env_bool, env_int, env_str


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    data_table_name: str
    delivery_queue_url: str
    signing_key_id: str
    allow_loopback_webhooks: bool
    webhook_failing_after_hours: int = 120

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        return cls(
            data_table_name=env_str("DATA_TABLE_NAME", environ),
            delivery_queue_url=env_str("DELIVERY_QUEUE_URL", environ),
            signing_key_id=env_str("SIGNING_KEY_ID", environ),
            allow_loopback_webhooks=env_bool("ALLOW_LOOPBACK_WEBHOOKS", False, environ),
            webhook_failing_after_hours=env_int("WEBHOOK_FAILING_AFTER_HOURS", 120, 1, environ),
        )


@dataclass(frozen=True, slots=True)
class DeliveryApiSettings:
    """The operator API's side of deliveries: replays and secret rotation."""

    delivery_queue_url: str
    replays_per_minute: int
    secret_overlap_hours: int

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        return cls(
            delivery_queue_url=env_str("DELIVERY_QUEUE_URL", environ),
            replays_per_minute=env_int("REPLAYS_PER_MINUTE", 10, 1, environ),
            secret_overlap_hours=env_int("WEBHOOK_SECRET_OVERLAP_HOURS", 24, 0, environ),
        )
