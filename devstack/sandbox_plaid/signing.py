"""Plaid's webhook signatures: an ES256 JWT in ``Plaid-Verification`` whose header
names the key (``kid``) and whose claims are ``iat`` and ``request_body_sha256``
(the SHA-256 of the exact body bytes, hex). Keys are P-256 pairs the sandbox
generates; ``/webhook_verification_key/get`` serves the public half as a JWK with
``created_at`` and ``expired_at``. ``rotate()`` starts signing with a new key."""

import base64
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec


@dataclass
class SigningKey:
    kid: str
    private: ec.EllipticCurvePrivateKey
    created_at: int
    expired_at: int | None = None

    def jwk(self) -> dict[str, Any]:
        numbers = self.private.public_key().public_numbers()
        return {
            "alg": "ES256",
            "crv": "P-256",
            "kid": self.kid,
            "kty": "EC",
            "use": "sig",
            "x": _b64(numbers.x),
            "y": _b64(numbers.y),
            "created_at": self.created_at,
            "expired_at": self.expired_at,
        }


def _b64(coordinate: int) -> str:
    return base64.urlsafe_b64encode(coordinate.to_bytes(32, "big")).decode().rstrip("=")


class KeyRing:
    def __init__(self, now: float) -> None:
        self.keys: dict[str, SigningKey] = {}
        self.current = self.rotate(now)

    def rotate(self, now: float, expire_previous: bool = False) -> SigningKey:
        """A new key signs from now on; the previous stays served (expired if asked)."""
        previous = getattr(self, "current", None)
        if previous is not None and expire_previous:
            previous.expired_at = int(now)
        key = SigningKey(str(uuid.uuid4()), ec.generate_private_key(ec.SECP256R1()), int(now))
        self.keys[key.kid] = key
        self.current = key
        return key

    def sign(self, body: bytes, now: float) -> str:
        claims = {"iat": int(now), "request_body_sha256": hashlib.sha256(body).hexdigest()}
        return jwt.encode(
            claims, self.current.private, algorithm="ES256", headers={"kid": self.current.kid}
        )
