"""The one place that knows which provider adapters exist and builds them from settings."""

from banksync.okra.client import OkraClient
from banksync.okra.secret import SecretKey
from banksync.provider.port import Provider


def build_provider(base_url: str, secret_key_arn: str) -> Provider:
    """The provider a function's settings name (Okra, the one adapter so far)."""
    return OkraClient(base_url, SecretKey(secret_key_arn))
