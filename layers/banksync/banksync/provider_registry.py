"""The one place that knows which provider adapters exist and builds them from settings.

What an adapter brings is imported when it is first asked for, so a function
loads only the parts it uses (the push listener reads webhooks and never
calls the provider, so it never loads the client's secret cache), and only
for the providers it meets.
"""

from functools import cache

from banksync.provider.announcements import WebhookReader
from banksync.provider.names import DEFAULT_PROVIDER, ProviderName
from banksync.provider.port import Provider
from banksync.provider.records import RowReader
from banksync.provider.settings import ProviderSettings


def build_provider(settings: ProviderSettings) -> Provider:
    """The provider client ``settings`` describe."""
    from banksync.okra.client import OkraClient
    from banksync.okra.secret import SecretKey

    return OkraClient(settings.base_url, SecretKey(settings.secret_key_arn))


@cache
def row_reader(name: ProviderName = DEFAULT_PROVIDER) -> RowReader:
    """How a provider's raw rows read as banksync's normalised balance and transaction
    (rows stored before providers were named are the default provider's)."""
    from banksync.okra.rows import OkraRows

    return OkraRows()


@cache
def webhook_reader(name: ProviderName = DEFAULT_PROVIDER) -> WebhookReader:
    """How a provider's inbound webhooks (at /webhooks/<provider>) are keyed, indexed
    and read as announcements."""
    from banksync.okra.reader import OkraWebhooks

    return OkraWebhooks()
