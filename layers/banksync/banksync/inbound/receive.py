"""Receiving one provider webhook: authenticate, validate, store once, answer.

Stored first, answered second: a receipt exists only for a webhook that is in
the EventsTable, so a store failure surfaces as a 5xx and the provider retries.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Self

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from banksync.api_errors import ApiError
from banksync.clock import Clock, iso, utc_now
from banksync.inbound.auth import WebhookTokenVerifier
from banksync.inbound.inbox import EventInbox
from banksync.inbound.indexable import indexable
from banksync.inbound.request import bearer_token, parse_json_object
from banksync.inbound.settings import ReceiverSettings
from banksync.observability import logger, metrics
from banksync.provider_registry import webhook_reader


@dataclass(frozen=True, slots=True)
class Receipt:
    event_id: str
    duplicate: bool

    def body(self) -> dict[str, str]:
        return {"status": "duplicate" if self.duplicate else "stored", "event_id": self.event_id}


class WebhookReceiver:
    def __init__(
        self,
        verifier: WebhookTokenVerifier,
        inbox: EventInbox,
        retention: timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self._verifier = verifier
        self._inbox = inbox
        self._retention = retention
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: ReceiverSettings) -> Self:
        return cls(
            WebhookTokenVerifier(settings.webhook_token_secret, settings.token_cache_seconds),
            EventInbox(settings.events_table_name),
            timedelta(days=settings.event_retention_days),
        )

    def receive(self, body: bytes, content_type: str | None, authorization: str | None) -> Receipt:
        try:
            return self._receive(body, content_type, authorization)
        except ApiError as rejection:
            _count_rejection(rejection.code)
            raise

    def _receive(self, body: bytes, content_type: str | None, authorization: str | None) -> Receipt:
        self._verifier.verify(bearer_token(authorization))
        payload, text = parse_json_object(body, content_type)
        webhooks = webhook_reader()
        event_id = webhooks.event_key(payload)
        fields, unindexed = indexable(webhooks.indexed(payload).present_fields())
        received_at = self._clock()
        item: dict[str, str | int] = {
            **fields,
            **({"unindexed": ",".join(unindexed)} if unindexed else {}),
            "event_id": event_id,
            "entity": "inbound_webhook",
            "schema_version": 1,
            "received_at": iso(received_at),
            "expires_at": int((received_at + self._retention).timestamp()),
            "payload": text,
        }
        stored = self._inbox.put_once(item)
        metrics.add_metric(
            name="WebhookReceived" if stored else "WebhookDuplicate", unit=MetricUnit.Count, value=1
        )
        # Identifiers only: bank data stays out of the logs.
        logger.info(
            "webhook stored" if stored else "webhook duplicate",
            extra={"event_id": event_id, **_log_fields(fields)},
        )
        return Receipt(event_id=event_id, duplicate=not stored)


def _log_fields(fields: dict[str, str]) -> dict[str, str]:
    keep = ("event_type", "code", "record_id", "status", "env")
    return {name: fields[name] for name in keep if name in fields}


def _count_rejection(reason: str) -> None:
    # A metric of its own so the reason dimension does not touch the others.
    with single_metric(
        name="WebhookRejected", unit=MetricUnit.Count, value=1, namespace=metrics.namespace
    ) as metric:
        metric.add_dimension(name="reason", value=reason)
    logger.warning("webhook rejected", extra={"reason": reason})
