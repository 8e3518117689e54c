"""Per-subscription signing secrets for Standard Webhooks, kept encrypted with KMS.

A Secrets Manager secret per subscription would cost $0.40 a month each; one
KMS key encrypts them all, bound to their subscription by encryption context.
"""

import base64
import secrets
from typing import Any

import boto3

SECRET_BYTES = 32


class SigningSecrets:
    def __init__(self, key_id: str, client: Any = None) -> None:
        self._key_id = key_id
        self._client = client or boto3.client("kms")

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
        plain: bytes = self._client.decrypt(
            CiphertextBlob=base64.b64decode(ciphertext),
            EncryptionContext={"subscription_id": subscription_id},
        )["Plaintext"]
        return plain.decode()
