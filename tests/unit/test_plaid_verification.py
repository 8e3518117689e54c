"""Plaid's Plaid-Verification JWT: only a fresh ES256 token, signed by the key Plaid
gives for its kid, over exactly this body, is accepted."""

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given
from hypothesis import strategies as st
from jwt.algorithms import ECAlgorithm

from banksync.plaid.verification import PlaidWebhookVerifier, WebhookRefusedError

NOW = 1_800_000_000.0
BODY = json.dumps(
    {"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE", "item_id": "i1"}
).encode()


def keypair() -> tuple[ec.EllipticCurvePrivateKey, dict[str, Any]]:
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(ECAlgorithm.to_jwk(private.public_key()))
    return private, jwk


PRIVATE, JWK = keypair()
OTHER_PRIVATE, _ = keypair()


def plaid_jwk(kid: str, jwk: dict[str, Any] = JWK, expired_at: int | None = None) -> dict[str, Any]:
    """The shape /webhook_verification_key/get answers with."""
    return {
        **jwk,
        "alg": "ES256",
        "kid": kid,
        "use": "sig",
        "created_at": 1_560_000_000,
        "expired_at": expired_at,
    }


class Keys:
    def __init__(self, **keys: dict[str, Any]) -> None:
        self.keys = keys
        self.asked: list[str] = []

    def __call__(self, kid: str) -> dict[str, Any] | None:
        self.asked.append(kid)
        return self.keys.get(kid)


def token(
    body: bytes = BODY,
    *,
    key: Any = PRIVATE,
    kid: str | None = "k1",
    iat: float = NOW,
    algorithm: str = "ES256",
) -> str:
    claims = {"iat": int(iat), "request_body_sha256": hashlib.sha256(body).hexdigest()}
    headers = {} if kid is None else {"kid": kid}
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


def verifier(keys: Keys | None = None, now: float = NOW) -> PlaidWebhookVerifier:
    return PlaidWebhookVerifier(keys or Keys(k1=plaid_jwk("k1")), clock=lambda: now)


def test_a_fresh_token_by_plaids_key_over_this_body_is_accepted() -> None:
    verifier().verify({"Plaid-Verification": token()}, BODY)


def test_the_header_is_found_whatever_its_case() -> None:
    verifier().verify({"plaid-verification": token()}, BODY)


def test_a_token_signed_by_another_key_is_refused() -> None:
    with pytest.raises(WebhookRefusedError, match="does not verify"):
        verifier().verify({"Plaid-Verification": token(key=OTHER_PRIVATE)}, BODY)


def test_an_unknown_kid_is_fetched_once_then_cached() -> None:
    keys = Keys(k1=plaid_jwk("k1"), k2=plaid_jwk("k2"))
    checker = verifier(keys)
    checker.verify({"Plaid-Verification": token()}, BODY)
    checker.verify({"Plaid-Verification": token(kid="k2")}, BODY)
    checker.verify({"Plaid-Verification": token(kid="k2")}, BODY)
    assert keys.asked == ["k1", "k2"]


def test_a_kid_plaid_does_not_know_is_refused_and_not_asked_for_again_at_once() -> None:
    keys = Keys(k1=plaid_jwk("k1"))
    checker = verifier(keys)
    for _ in range(3):
        with pytest.raises(WebhookRefusedError, match="not one of Plaid's"):
            checker.verify({"Plaid-Verification": token(kid="forged")}, BODY)
    assert keys.asked == ["forged"]


def test_a_kid_unknown_at_first_is_accepted_once_plaid_knows_it() -> None:
    keys = Keys()
    clock = [NOW]
    checker = PlaidWebhookVerifier(keys, clock=lambda: clock[0])
    with pytest.raises(WebhookRefusedError):
        checker.verify({"Plaid-Verification": token(kid="k9")}, BODY)
    keys.keys["k9"] = plaid_jwk("k9")
    clock[0] = NOW + 301
    checker.verify({"Plaid-Verification": token(kid="k9", iat=clock[0])}, BODY)
    assert keys.asked == ["k9", "k9"]


def test_an_expired_key_is_refused() -> None:
    keys = Keys(k1=plaid_jwk("k1", expired_at=1_700_000_000))
    with pytest.raises(WebhookRefusedError, match="expired"):
        verifier(keys).verify({"Plaid-Verification": token()}, BODY)


@given(st.integers(min_value=301, max_value=10**7))
def test_a_token_issued_more_than_five_minutes_ago_is_refused(age: int) -> None:
    with pytest.raises(WebhookRefusedError, match="five minutes"):
        verifier().verify({"Plaid-Verification": token(iat=NOW - age)}, BODY)


@given(st.integers(min_value=0, max_value=300))
def test_a_token_up_to_five_minutes_old_is_accepted(age: int) -> None:
    verifier().verify({"Plaid-Verification": token(iat=NOW - age)}, BODY)


@given(st.binary(min_size=1, max_size=200))
def test_a_body_other_than_the_signed_one_is_refused(extra: bytes) -> None:
    with pytest.raises(WebhookRefusedError, match="SHA-256"):
        verifier().verify({"Plaid-Verification": token()}, BODY + extra)


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def test_alg_none_is_refused_without_asking_for_a_key() -> None:
    keys = Keys(k1=plaid_jwk("k1"))
    claims = {"iat": int(NOW), "request_body_sha256": hashlib.sha256(BODY).hexdigest()}
    forged = _unsigned({"alg": "none", "kid": "k1", "typ": "JWT"}, claims)
    with pytest.raises(WebhookRefusedError, match="not ES256"):
        verifier(keys).verify({"Plaid-Verification": forged}, BODY)
    assert keys.asked == []


def test_hs256_with_the_public_key_as_secret_is_refused() -> None:
    public_pem = PRIVATE.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {"iat": int(NOW), "request_body_sha256": hashlib.sha256(BODY).hexdigest()}
    header = _unsigned({"alg": "HS256", "kid": "k1", "typ": "JWT"}, claims)[:-1]

    signature = hmac.new(public_pem, header.encode(), hashlib.sha256).digest()
    forged = header + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    with pytest.raises(WebhookRefusedError, match="not ES256"):
        verifier().verify({"Plaid-Verification": forged}, BODY)


def test_es256_named_in_the_header_over_an_hs256_signature_is_refused() -> None:
    public_pem = PRIVATE.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {"iat": int(NOW), "request_body_sha256": hashlib.sha256(BODY).hexdigest()}
    header = _unsigned({"alg": "ES256", "kid": "k1", "typ": "JWT"}, claims)[:-1]

    signature = hmac.new(public_pem, header.encode(), hashlib.sha256).digest()
    forged = header + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    with pytest.raises(WebhookRefusedError, match="does not verify"):
        verifier().verify({"Plaid-Verification": forged}, BODY)


@pytest.mark.parametrize("headers", [{}, {"Plaid-Verification": ""}, {"Other": "x"}])
def test_a_missing_header_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookRefusedError, match="no Plaid-Verification"):
        verifier().verify(headers, BODY)


def test_a_token_without_a_kid_is_refused() -> None:
    with pytest.raises(WebhookRefusedError, match="kid"):
        verifier().verify({"Plaid-Verification": token(kid=None)}, BODY)


@given(st.text(max_size=300))
def test_any_garbage_header_is_refused_not_raised_otherwise(value: str) -> None:
    with pytest.raises(WebhookRefusedError):
        verifier().verify({"Plaid-Verification": value or "x"}, BODY)


def test_a_refusal_never_repeats_the_token() -> None:
    sent = token(key=OTHER_PRIVATE)
    with pytest.raises(WebhookRefusedError) as refused:
        verifier().verify({"Plaid-Verification": sent}, BODY)
    assert sent not in str(refused.value)
    assert refused.value.__cause__ is None


def test_the_default_clock_is_the_real_one() -> None:
    checker = PlaidWebhookVerifier(Keys(k1=plaid_jwk("k1")))
    checker.verify({"Plaid-Verification": token(iat=time.time())}, BODY)
