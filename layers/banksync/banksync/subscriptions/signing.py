"""Per-subscription signing secrets for Standard Webhooks, kept encrypted with KMS.

A Secrets Manager secret per subscription would cost $0.40 a month each; one
KMS key encrypts them all, bound to their subscription by encryption context.

A revealed secret is kept in the container's memory for ``max_age`` seconds
(5 minutes, as the provider's key is): a Decrypt per delivery was $3 of every
million refreshes delivered. The cache is keyed by the ciphertext, so a
rotated secret is never served stale; the age bounds how long a key disabled
in KMS still signs.
"""

import base64
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3

from banksync.subscriptions.models import Subscription

SECRET_BYTES = 32
CACHED_SECRETS = 1000  # per container: far more subscriptions than one batch names


class SigningSecrets:
    def __init__(
        self,
        key_id: str,
        client: Any = None,
        max_age: float = 300,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._key_id = key_id
        self._client = client or boto3.client("kms")
        self._max_age, self._clock = max_age, clock
        self._revealed: OrderedDict[tuple[str, str], tuple[float, str]] = OrderedDict()

    def new(self, subscription_id: str) -> tuple[str, str]:
        """A fresh ``whsec_`` secret and its ciphertext to store."""
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()
        blob = self._client.encrypt(
            KeyId=self._key_id,
            Plaintext=secret.encode(),
            EncryptionContext={"subscription_id": subscription_id},
        )["CiphertextBlob"]
        return secret, base64.b64encode(blob).decode()

    def reveal(self, subscription_id: str, ciphertext: str) -> str:
        key, now = (subscription_id, ciphertext), self._clock()
        kept = self._revealed.get(key)
        if kept is not None and now - kept[0] < self._max_age:
            return kept[1]
        plain: bytes = self._client.decrypt(
            CiphertextBlob=base64.b64decode(ciphertext),
            EncryptionContext={"subscription_id": subscription_id},
        )["Plaintext"]
        self._revealed[key] = (now, plain.decode())
        self._revealed.move_to_end(key)
        while len(self._revealed) > CACHED_SECRETS:
            self._revealed.popitem(last=False)
        return plain.decode()

    def of(self, subscription: Subscription, now: datetime) -> list[str]:
        """The subscription's secrets as stored now: its current one, and during a
        rotation's overlap the previous one too."""
        sid = subscription.subscription_id
        found = [self.reveal(sid, str(subscription.signing_secret))]
        expires = subscription.previous_secret_expires_at
        previous = subscription.previous_signing_secret
        if previous and expires and now < datetime.fromisoformat(expires):
            found.append(self.reveal(sid, previous))
        return found
