"""Identifiers (customers, banks, accounts) and the subscription ids derived from them."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from standardwebhooks import Webhook

from banksync.delivery.sender import WebhookSender
from banksync.identifiers import identifier_problem
from banksync.subscriptions.body import SubscriptionBody
from banksync.subscriptions.models import subscription_id_for
from tests.unit.test_subscription_rules import resolve

identifiers = st.text(min_size=1, max_size=40).filter(lambda s: identifier_problem(s) is None)
pairs = st.tuples(identifiers, st.none() | identifiers)


@given(pairs, pairs)
def test_distinct_customer_and_bank_pairs_never_share_a_subscription_id(
    one: tuple[str, str | None], other: tuple[str, str | None]
) -> None:
    assert (subscription_id_for(*one) == subscription_id_for(*other)) == (one == other)


def test_the_pairs_that_once_collided_are_refused() -> None:
    # "victim\nbank1" + all banks and "victim" + "bank1\n*" joined to one text.
    with pytest.raises(ValueError, match="customer must not contain control"):
        subscription_id_for("victim\nbank1", None)
    with pytest.raises(ValueError, match="bank must not contain control"):
        subscription_id_for("victim", "bank1\n*")
    with pytest.raises(ValueError, match="every bank"):
        subscription_id_for("victim", "*")


HIDDEN: Any = ["Cc", "Cf", "Cs", "Zl", "Zp"]
visible = st.text(st.characters(exclude_categories=HIDDEN), max_size=20)


@given(visible, st.characters(categories=HIDDEN), visible)
def test_control_and_invisible_characters_are_never_identifiers(
    before: str, hidden: str, after: str
) -> None:
    problem = identifier_problem(before + hidden + after)
    assert problem is not None
    assert f"U+{ord(hidden):04X}" in problem


@given(st.sampled_from(["customer", "bank"]), st.sampled_from(["a\nb", "a\u200bb", "*", "x" * 129]))
def test_the_subscription_body_refuses_them_naming_the_field(field: str, value: str) -> None:
    body = {"customer": "c", "products": ["balance"], field: value}
    with pytest.raises(ValidationError) as refused:
        SubscriptionBody.model_validate(body)
    assert refused.value.errors()[0]["loc"] == (field,)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://hooks.example.com:abc/", "not a valid URL"),
        ("https://hooks.example.com:99999/", "not a valid URL"),
        ("https://hooks.example.com:0/", "port must be"),
        ("https://hooks.example.com:-1/", "not a valid URL"),
        ("https://hooks.example.com:443/okra", None),
        ("https://[::ffff:0:7f00:1]/", "non-public"),
        ("https://[::ffff:0:a00:1]/", "non-public"),
        ("https://[::1/", "not a valid URL"),
        ("https://hooks.example.com/a b", "spaces or control"),
        ("https://hooks.example.com/\x7f", "spaces or control"),
    ],
)
def test_webhook_urls_that_cannot_be_delivered_are_refused(url: str, problem: str | None) -> None:
    from banksync.subscriptions.webhook_urls import webhook_url_problem

    found = webhook_url_problem(url, resolve=resolve)
    assert (found is None) if problem is None else (problem in (found or ""))


@given(st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_the_signature_and_its_timestamp_header_agree_in_any_time_zone(minutes: int) -> None:
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    seen: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    sender = WebhookSender(transport=httpx.MockTransport(receive))
    at = datetime.now(UTC).astimezone(timezone(timedelta(minutes=minutes)))
    sender.send("https://hooks.example.com/", secret, "msg_1", '{"a":1}', at)
    (request,) = seen
    assert int(request.headers["webhook-timestamp"]) == int(at.timestamp())
    Webhook(secret).verify(request.content.decode(), dict(request.headers))  # raises if not
