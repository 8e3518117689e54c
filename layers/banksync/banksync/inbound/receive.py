"""Receiving one provider webhook: authenticate, validate, store once, answer.

Stored first, answered second: a receipt exists only for a webhook that is in
the EventsTable, so a store failure surfaces as a 5xx and the provider retries.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_address
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
from banksync.provider.announcements import WebhookCredential
from banksync.provider.names import DEFAULT_PROVIDER, ProviderName, is_provider_name
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
        verifiers: Mapping[ProviderName, WebhookTokenVerifier],
        inbox: EventInbox,
        retention: timedelta,
        clock: Clock = utc_now,
        sources: Mapping[ProviderName, tuple[IPv4Network | IPv6Network, ...]] | None = None,
    ) -> None:
        self._verifiers = verifiers
        self._sources = sources or {}
        self._inbox = inbox
        self._retention = retention
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: ReceiverSettings) -> Self:
        cache = settings.token_cache_seconds
        return cls(
            {
                name: WebhookTokenVerifier(arn, cache)
                for name, arn in settings.webhook_secrets.items()
            },
            EventInbox(settings.events_table_name),
            timedelta(days=settings.event_retention_days),
            sources=settings.sources,
        )

    def receive(
        self,
        provider: str,
        body: bytes,
        content_type: str | None,
        headers: Mapping[str, str],
        source_ip: str | None = None,
    ) -> Receipt:
        """Store the webhook ``provider`` sent (``headers`` with lower-case names) from
        ``source_ip``."""
        try:
            return self._receive(provider, body, content_type, headers, source_ip)
        except ApiError as rejection:
            _count_rejection(rejection.code)
            raise

    def _receive(
        self,
        provider: str,
        body: bytes,
        content_type: str | None,
        headers: Mapping[str, str],
        source_ip: str | None,
    ) -> Receipt:
        verifier = self._verifiers.get(provider) if is_provider_name(provider) else None
        if verifier is None or not is_provider_name(provider):
            raise ApiError(
                404, "not_found", f"provider {provider} is not switched on in this stack"
            )
        if provider in self._sources:
            _check_source(provider, source_ip, self._sources[provider])
        webhooks = webhook_reader(provider)
        verifier.verify(_presented(webhooks.credential, headers), webhooks.credential)
        payload, text = parse_json_object(body, content_type)
        event_id = webhooks.event_key(payload)
        if provider != DEFAULT_PROVIDER and not event_id.startswith(f"{provider}:"):
            # Two providers' keys never meet: another provider's keys carry its name.
            event_id = f"{provider}:{event_id}"
        fields, unindexed = indexable(webhooks.indexed(payload).present_fields())
        received_at = self._clock()
        item: dict[str, str | int] = {
            **fields,
            **({"unindexed": ",".join(unindexed)} if unindexed else {}),
            "event_id": event_id,
            "entity": "inbound_webhook",
            "schema_version": 1,
            **({"provider": provider} if provider != DEFAULT_PROVIDER else {}),
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


def _check_source(
    provider: str, source_ip: str | None, allowed: tuple[IPv4Network | IPv6Network, ...]
) -> None:
    try:
        address = ip_address(source_ip or "")
    except ValueError:
        address = None
    if address is None or not any(address in block for block in allowed):
        raise ApiError(
            403,
            "forbidden",
            f"{provider}'s webhooks are accepted only from its allowed sources",
            {"source_ip": "not in the stack's allow-list"},
        )


def _presented(credential: WebhookCredential, headers: Mapping[str, str]) -> str | None:
    value = headers.get(credential.header)
    return bearer_token(value) if credential.bearer else value


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
