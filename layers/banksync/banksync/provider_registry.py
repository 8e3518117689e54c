"""The one place that knows which provider adapters exist and builds them from settings.

What an adapter brings is imported when it is first asked for, so a function
loads only the parts it uses (the push listener reads webhooks and never
calls the provider, so it never loads the client's secret cache).
"""

from functools import cache

from banksync.okra.client import OkraClient
from banksync.provider.announcements import WebhookReader
from banksync.provider.port import Provider
from banksync.provider.records import RowReader
from banksync.provider.settings import ProviderSettings


def build_provider(settings: ProviderSettings) -> Provider:
    """The provider a function's settings name (Okra, the one adapter so far)."""
    from banksync.okra.secret import SecretKey

    return OkraClient(settings.base_url, SecretKey(settings.secret_key_arn))


@cache
def row_reader() -> RowReader:
    """How stored raw rows read as banksync's normalised balance and transaction
    (stored rows are raw Okra rows: every stored row is read back by Okra's reader)."""
    from banksync.okra.rows import OkraRows

    return OkraRows()


@cache
def webhook_reader() -> WebhookReader:
    """How inbound webhooks (every one Okra's, at /webhooks/okra) are keyed, indexed
    and read as announcements."""
    from banksync.okra.reader import OkraWebhooks

    return OkraWebhooks()
