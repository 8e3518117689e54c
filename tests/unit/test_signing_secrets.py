"""Signing secrets are decrypted once per container and age, never served stale."""

from typing import Any

import boto3
from moto import mock_aws

from banksync.subscriptions.signing import SigningSecrets


class CountingKms:
    def __init__(self, client: Any) -> None:
        self._client, self.decrypts = client, 0

    def decrypt(self, **kwargs: Any) -> Any:
        self.decrypts += 1
        return self._client.decrypt(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_revealed_secret_is_kept_for_its_age_and_a_rotated_one_is_decrypted() -> None:
    with mock_aws():
        raw = boto3.client("kms", region_name="us-east-1")
        key = raw.create_key()["KeyMetadata"]["KeyId"]
        kms, now = CountingKms(raw), [0.0]
        signing = SigningSecrets(key, kms, max_age=300, clock=lambda: now[0])
        secret, stored = signing.new("sub_1")
        assert [signing.reveal("sub_1", stored) for _ in range(5)] == [secret] * 5
        assert kms.decrypts == 1, "one Decrypt for a batch of deliveries"
        rotated, stored_again = signing.new("sub_1")
        assert signing.reveal("sub_1", stored_again) == rotated
        assert kms.decrypts == 2, "a new ciphertext is never answered from the cache"
        now[0] += 301
        assert signing.reveal("sub_1", stored) == secret
        assert kms.decrypts == 3, "past its age the secret is decrypted again"
