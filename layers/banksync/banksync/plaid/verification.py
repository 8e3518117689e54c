"""Plaid's webhook signature: the ``Plaid-Verification`` JWT, checked as Plaid's
"Verify webhooks" page describes it.

- the header's JWT must name ``alg: ES256`` (anything else, ``none`` and HS256
  included, is refused before any key is looked up) and a ``kid``;
- the key is the JWK Plaid's ``/webhook_verification_key/get`` gives for that
  ``kid``: cached by ``kid``, asked for again only when a ``kid`` is new, and
  refused once Plaid marks it expired; a ``kid`` Plaid did not know is not asked
  for again for a while, so forged ``kid``s cannot spend the provider budget;
- the signature is checked by PyJWT with ``cryptography`` (ES256 only);
- ``iat`` must be within five minutes of now (banksync's clock, injected);
- the claim ``request_body_sha256`` must equal the SHA-256 of the body as
  received, compared in constant time.

Anything else raises WebhookRefusedError, whose message says which check failed and
never repeats the token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePublicKey
from jwt.algorithms import ECAlgorithm

HEADER = "plaid-verification"
ALGORITHM = "ES256"
MAX_AGE_SECONDS = 5 * 60
# How long a kid Plaid said it does not know is refused without asking again.
UNKNOWN_KID_SECONDS = 5 * 60
MAX_TOKEN_LENGTH = 4096

# The JWK Plaid gives for a kid, or None when Plaid does not know it.
KeyLookup = Callable[[str], Mapping[str, Any] | None]


class WebhookRefusedError(Exception):
    """The webhook is not proven to come from Plaid: answer 401 and store nothing."""


class PlaidWebhookVerifier:
    def __init__(
        self,
        key_for: KeyLookup,
        *,
        clock: Callable[[], float] = time.time,
        max_age: int = MAX_AGE_SECONDS,
    ) -> None:
        self._key_for = key_for
        self._clock = clock
        self._max_age = max_age
        self._keys: dict[str, Mapping[str, Any]] = {}
        self._unknown: dict[str, float] = {}

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Returns when ``body`` is proven Plaid's; raises WebhookRefusedError otherwise."""
        token = _header(headers)
        if token is None:
            raise WebhookRefusedError("no Plaid-Verification header")
        if len(token) > MAX_TOKEN_LENGTH:
            raise WebhookRefusedError("the Plaid-Verification header is too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise WebhookRefusedError("the Plaid-Verification header is not a JWT") from None
        if header.get("alg") != ALGORITHM:
            raise WebhookRefusedError(f"the JWT's algorithm is not {ALGORITHM}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > 256:
            raise WebhookRefusedError("the JWT names no key id (kid)")
        key = self._public_key(kid)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                # iat is checked against banksync's own clock below; Plaid sets no exp.
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_iss": False,
                    "require": ["iat", "request_body_sha256"],
                },
            )
        except jwt.PyJWTError as error:
            raise WebhookRefusedError(f"the JWT does not verify: {type(error).__name__}") from None
        self._check_age(claims.get("iat"))
        claimed = claims.get("request_body_sha256")
        actual = hashlib.sha256(body).hexdigest()
        if not isinstance(claimed, str) or not hmac.compare_digest(
            claimed.lower().encode(), actual.encode()
        ):
            raise WebhookRefusedError("the body's SHA-256 is not the one Plaid signed")

    def _check_age(self, issued: Any) -> None:
        if isinstance(issued, bool) or not isinstance(issued, int | float):
            raise WebhookRefusedError("the JWT's iat is not a time")
        age = self._clock() - issued
        if age > self._max_age:
            raise WebhookRefusedError("the JWT was issued more than five minutes ago")
        if age < -self._max_age:
            raise WebhookRefusedError("the JWT's iat is in the future")

    def _public_key(self, kid: str) -> EllipticCurvePublicKey:
        jwk = self._keys.get(kid)
        if jwk is None:
            jwk = self._fetch(kid)
        if jwk.get("expired_at") is not None:
            raise WebhookRefusedError("the JWT's key has expired")
        try:
            key = ECAlgorithm.from_jwk(json.dumps(dict(jwk)))
        except (jwt.PyJWTError, ValueError, TypeError):
            raise WebhookRefusedError("Plaid's key for the JWT is not an EC key") from None
        if not isinstance(key, EllipticCurvePublicKey) or not isinstance(key.curve, SECP256R1):
            raise WebhookRefusedError("Plaid's key for the JWT is not a P-256 public key")
        return key

    def _fetch(self, kid: str) -> Mapping[str, Any]:
        now = self._clock()
        refused_at = self._unknown.get(kid)
        if refused_at is not None and now - refused_at < UNKNOWN_KID_SECONDS:
            raise WebhookRefusedError("the JWT's key id is not one of Plaid's")
        jwk = self._key_for(kid)
        if jwk is None:
            self._unknown[kid] = now
            raise WebhookRefusedError("the JWT's key id is not one of Plaid's")
        self._unknown.pop(kid, None)
        self._keys[kid] = jwk
        return jwk


def _header(headers: Mapping[str, str]) -> str | None:
    for name, value in headers.items():
        if name.lower() == HEADER and isinstance(value, str) and value.strip():
            return value.strip()
    return None
