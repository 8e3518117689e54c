"""The one place that knows which provider adapters exist and builds them from settings."""

from banksync.okra.client import OkraClient
from banksync.okra.reader import OkraWebhooks
from banksync.okra.rows import OkraRows
from banksync.okra.secret import SecretKey
from banksync.provider.announcements import WebhookReader
from banksync.provider.port import Provider
from banksync.provider.records import RowReader
from banksync.provider.settings import ProviderSettings

# Stored rows are raw Okra rows: every stored row is read back by Okra's reader.
_ROWS = OkraRows()
# Every inbound webhook is Okra's, at /webhooks/okra.
_WEBHOOKS = OkraWebhooks()


def build_provider(settings: ProviderSettings) -> Provider:
    """The provider a function's settings name (Okra, the one adapter so far)."""
    return OkraClient(settings.base_url, SecretKey(settings.secret_key_arn))


def row_reader() -> RowReader:
    """How stored raw rows read as banksync's normalised balance and transaction."""
    return _ROWS


def webhook_reader() -> WebhookReader:
    """How inbound webhooks are keyed, indexed and read as announcements."""
    return _WEBHOOKS
