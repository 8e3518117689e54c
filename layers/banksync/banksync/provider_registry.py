"""The one place that knows which provider adapters exist and builds them from settings.

What an adapter brings is imported when it is first asked for, so a function
loads only the parts it uses (the push listener reads webhooks and never
calls the provider, so it never loads the client's secret cache), and only
for the providers it meets.
"""

import os
from functools import cache

from banksync.provider.announcements import WebhookReader
from banksync.provider.names import DEFAULT_PROVIDER, ProviderName
from banksync.provider.port import Provider
from banksync.provider.records import RowReader
from banksync.provider.settings import ProviderSettings


def build_provider(settings: ProviderSettings) -> Provider:
    """The provider client ``settings`` describe."""
    from banksync.provider.secret import SecretKey

    key = SecretKey(settings.secret_key_arn)
    if settings.name == "mono":
        from banksync.mono.client import MonoClient

        return MonoClient(settings.base_url, key)
    from banksync.okra.client import OkraClient

    return OkraClient(settings.base_url, key)


@cache
def row_reader(name: ProviderName = DEFAULT_PROVIDER) -> RowReader:
    """How a provider's raw rows read as banksync's normalised balance and transaction
    (rows stored before providers were named are the default provider's)."""
    if name == "mono":
        from banksync.mono.rows import MonoRows

        return MonoRows()
    from banksync.okra.rows import OkraRows

    return OkraRows()


@cache
def webhook_reader(name: ProviderName = DEFAULT_PROVIDER) -> WebhookReader:
    """How a provider's inbound webhooks (at /webhooks/<provider>) are keyed, indexed
    and read as announcements."""
    if name == "mono":
        from banksync.mono.reader import MonoWebhooks

        # The data URLs it announces are on the API the stack calls (a sandbox's too).
        return MonoWebhooks(os.environ.get("MONO_BASE_URL") or "https://api.withmono.com")
    from banksync.okra.reader import OkraWebhooks

    return OkraWebhooks()
