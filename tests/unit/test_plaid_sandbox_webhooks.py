"""The Plaid sandbox's webhooks: signed as Plaid documents (verified here with PyJWT
against the key the client fetches), its own extraction announcing
SYNC_UPDATES_AVAILABLE, ITEM webhooks and re-authorisation, retries and faults."""

import hashlib
import json
from collections.abc import Iterator

import jwt
import plaid
import pytest
from plaid.model.accounts_get_request import AccountsGetRequest
from plaid.model.country_code import CountryCode
from plaid.model.item_get_request import ItemGetRequest
from plaid.model.link_token_create_request import LinkTokenCreateRequest
from plaid.model.link_token_create_request_user import LinkTokenCreateRequestUser
from plaid.model.sandbox_item_fire_webhook_request import SandboxItemFireWebhookRequest
from plaid.model.sandbox_item_reset_login_request import SandboxItemResetLoginRequest
from plaid.model.transactions_sync_request import TransactionsSyncRequest
from plaid.model.webhook_verification_key_get_request import WebhookVerificationKeyGetRequest

from devstack.sandbox_plaid import PlaidWorld
from tests.support.plaid_sandbox import PlaidHarness, plaid_harness

DAY = 86_400.0


@pytest.fixture
def harness() -> Iterator[PlaidHarness]:
    with plaid_harness(PlaidWorld(history_days=2, extraction_seconds=DAY)) as harness:
        yield harness


def verified(harness: PlaidHarness, body: bytes, token: str) -> dict[str, object]:
    """Plaid's documented steps: ES256 only, the key by kid, iat, the body's SHA-256."""
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256"
    served = harness.client.webhook_verification_key_get(
        WebhookVerificationKeyGetRequest(key_id=header["kid"])
    ).key
    key = jwt.PyJWK(served.to_dict())
    claims = jwt.decode(token, key, algorithms=["ES256"], options={"verify_iat": False})
    assert set(claims) == {"iat", "request_body_sha256"}
    assert claims["request_body_sha256"] == hashlib.sha256(body).hexdigest()
    return claims


def test_a_fired_webhook_is_signed_with_a_key_the_client_can_fetch(harness: PlaidHarness) -> None:
    access_token, item_id = harness.linked()
    fired = harness.client.sandbox_item_fire_webhook(
        SandboxItemFireWebhookRequest(
            access_token=access_token, webhook_code="SYNC_UPDATES_AVAILABLE"
        )
    )
    assert fired.webhook_fired
    assert harness.advance(0) == 1
    ((body, token),) = harness.receiver.received
    assert token is not None
    claims = verified(harness, body, token)
    assert claims["iat"] == int(harness.clock.now)
    assert json.loads(body) == {
        "webhook_type": "TRANSACTIONS",
        "webhook_code": "SYNC_UPDATES_AVAILABLE",
        "item_id": item_id,
        "initial_update_complete": True,
        "historical_update_complete": True,
        "environment": "sandbox",
    }


def test_a_tampered_body_or_another_key_does_not_verify(harness: PlaidHarness) -> None:
    access_token, _ = harness.linked()
    harness.client.sandbox_item_fire_webhook(
        SandboxItemFireWebhookRequest(access_token=access_token, webhook_code="LOGIN_REPAIRED")
    )
    harness.advance(0)
    ((body, token),) = harness.receiver.received
    assert token is not None
    with pytest.raises(AssertionError):
        verified(harness, body.replace(b"LOGIN", b"LOGIC"), token)
    old = harness.sandbox.keys.current
    rotated = harness.sandbox.keys.rotate(harness.clock.now, expire_previous=True)
    assert rotated.kid != old.kid
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, jwt.PyJWK(rotated.jwk()), algorithms=["ES256"])
    served = harness.client.webhook_verification_key_get(
        WebhookVerificationKeyGetRequest(key_id=old.kid)
    ).key
    assert served.expired_at == int(harness.clock.now)
    with pytest.raises(plaid.ApiException) as raised:
        harness.client.webhook_verification_key_get(WebhookVerificationKeyGetRequest(key_id="nope"))
    assert json.loads(raised.value.body)["error_code"] == "INVALID_WEBHOOK_VERIFICATION_KEY_ID"


def test_extraction_announces_sync_updates_only_once_sync_was_called(harness: PlaidHarness) -> None:
    access_token, _ = harness.linked()
    harness.advance(DAY)
    assert "SYNC_UPDATES_AVAILABLE" not in harness.receiver.codes
    assert harness.receiver.codes == ["DEFAULT_UPDATE"]
    harness.client.transactions_sync(TransactionsSyncRequest(access_token=access_token))
    harness.advance(DAY)
    assert harness.receiver.codes[1:] == [
        "SYNC_UPDATES_AVAILABLE",
        "DEFAULT_UPDATE",
        "TRANSACTIONS_REMOVED",
    ]
    removed = harness.receiver.payloads[-1]["removed_transactions"]
    assert len(removed) == 2  # the two pending rows that posted


def test_reset_login_is_item_login_required_until_update_mode(harness: PlaidHarness) -> None:
    access_token, _ = harness.linked()
    reset = harness.client.sandbox_item_reset_login(
        SandboxItemResetLoginRequest(access_token=access_token)
    )
    assert reset.reset_login
    with pytest.raises(plaid.ApiException) as raised:
        harness.client.accounts_get(AccountsGetRequest(access_token=access_token))
    error = json.loads(raised.value.body)
    assert raised.value.status == 400
    assert (error["error_type"], error["error_code"]) == ("ITEM_ERROR", "ITEM_LOGIN_REQUIRED")
    item = harness.client.item_get(ItemGetRequest(access_token=access_token)).item
    assert item.error.error_code == "ITEM_LOGIN_REQUIRED"
    harness.advance(0)
    assert harness.receiver.payloads[-1]["webhook_type"] == "ITEM"
    assert harness.receiver.payloads[-1]["error"]["error_code"] == "ITEM_LOGIN_REQUIRED"
    harness.advance(DAY)  # no extraction for an Item in error
    assert harness.receiver.codes == ["ERROR"]
    link = harness.client.link_token_create(
        LinkTokenCreateRequest(
            client_name="banksync",
            language="en",
            country_codes=[CountryCode("US")],
            user=LinkTokenCreateRequestUser(client_user_id="customer-1"),
            access_token=access_token,
        )
    )
    harness.sandbox.complete_link(link.link_token)
    harness.client.accounts_get(AccountsGetRequest(access_token=access_token))
    harness.advance(0)
    assert "LOGIN_REPAIRED" not in harness.receiver.codes  # update mode sends none


def test_a_login_repaired_outside_the_app_is_announced(harness: PlaidHarness) -> None:
    access_token, item_id = harness.linked()
    harness.sandbox.require_login(item_id)
    harness.sandbox.repair_login(item_id)
    harness.advance(0)
    assert harness.receiver.codes == ["ERROR", "LOGIN_REPAIRED"]
    harness.client.accounts_get(AccountsGetRequest(access_token=access_token))


def test_consent_about_to_expire_sends_pending_expiration_a_week_before(
    harness: PlaidHarness,
) -> None:
    harness.sandbox.world.legacy_webhooks = False
    harness.sandbox.link_item("https://business.example/hook", consent_days=10)
    harness.advance(2 * DAY)
    assert harness.receiver.codes == []
    harness.advance(DAY)
    assert harness.receiver.codes == ["PENDING_EXPIRATION"]
    assert harness.receiver.payloads[0]["consent_expiration_time"].endswith("Z")
    harness.advance(DAY)
    assert harness.receiver.codes == ["PENDING_EXPIRATION"]


def test_a_webhook_not_answered_200_is_retried_on_plaids_schedule_then_given_up() -> None:
    with plaid_harness(PlaidWorld(extraction_seconds=None), *([500] * 20)) as harness:
        access_token, _ = harness.linked()
        harness.client.sandbox_item_fire_webhook(
            SandboxItemFireWebhookRequest(access_token=access_token, webhook_code="LOGIN_REPAIRED")
        )
        start = harness.clock.now
        harness.advance(0)
        while (due := harness.sandbox.next_event_at()) is not None:
            harness.advance(due - harness.clock.now)
        tries = [s.at - start for s in harness.sandbox.outbox.sent]
        assert tries == [0, 30, 150, 630, 2550, 10_230, 40_950]  # 30 s, then 4 times each wait
        assert len(harness.sandbox.outbox.abandoned) == 1
        tokens = {token for _, token in harness.receiver.received}
        assert len(tokens) == 7  # each try signed afresh


def test_any_answer_but_200_is_a_failed_delivery() -> None:
    with plaid_harness(PlaidWorld(extraction_seconds=None), 204, 200) as harness:
        access_token, _ = harness.linked()
        harness.client.sandbox_item_fire_webhook(
            SandboxItemFireWebhookRequest(access_token=access_token, webhook_code="LOGIN_REPAIRED")
        )
        assert harness.advance(0) == 0
        assert harness.advance(30) == 1
        assert [s.status for s in harness.sandbox.outbox.sent] == [204, 200]


def test_dropped_and_duplicated_webhooks(harness: PlaidHarness) -> None:
    access_token, _ = harness.linked()
    harness.sandbox.faults.drop_webhooks(code="LOGIN_REPAIRED")
    harness.sandbox.faults.duplicate_webhooks(code="PENDING_DISCONNECT")
    for code in ("LOGIN_REPAIRED", "PENDING_DISCONNECT"):
        harness.client.sandbox_item_fire_webhook(
            SandboxItemFireWebhookRequest(access_token=access_token, webhook_code=code)
        )
    harness.advance(10)
    assert harness.receiver.codes == ["PENDING_DISCONNECT", "PENDING_DISCONNECT"]
    assert [p["webhook_code"] for p in harness.sandbox.outbox.dropped] == ["LOGIN_REPAIRED"]


def test_no_retries_to_a_receiver_that_rejected_over_90_percent_in_a_day() -> None:
    with plaid_harness(PlaidWorld(extraction_seconds=None), *([500] * 100)) as harness:
        access_token, _ = harness.linked()
        for _ in range(12):
            harness.client.sandbox_item_fire_webhook(
                SandboxItemFireWebhookRequest(
                    access_token=access_token, webhook_code="LOGIN_REPAIRED"
                )
            )
        harness.advance(0)
        while (due := harness.sandbox.next_event_at()) is not None:
            harness.advance(due - harness.clock.now)
        assert len(harness.sandbox.outbox.sent) == 12
        assert len(harness.sandbox.outbox.abandoned) == 12
