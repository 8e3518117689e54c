"""Query, path and header values: each read or refused with a 400 that names it."""

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from hypothesis import given
from hypothesis import strategies as st

from banksync.api.params import (
    ID,
    MAX_TOKEN_CHARS,
    idempotency_key,
    identifier_param,
    limit_param,
    path_id,
    path_problems,
    query_params,
    time_param,
    token_param,
)
from banksync.api_errors import ApiError
from banksync.identifiers import MAX_LENGTH, identifier_problem, stripped
from banksync.paging import encode_token
from banksync.subscriptions.body import SubscriptionBody
from banksync.subscriptions.models import subscription_id_for


def refusal(read: Callable[[], Any]) -> ApiError | None:
    """The 400 ``read`` answers with, if any; any other exception fails the test."""
    try:
        read()
    except ApiError as error:
        caught = error
    else:
        return None
    assert caught.status == 400
    return caught


def event(pairs: list[tuple[str, str]]) -> APIGatewayProxyEventV2:
    """An HTTP API event for a query string, as API Gateway builds one."""
    joined: dict[str, str] = {}
    for name, value in pairs:
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    raw = "&".join(f"{quote(name)}={quote(value)}" for name, value in pairs)
    return APIGatewayProxyEventV2({"rawQueryString": raw, "queryStringParameters": joined or None})


@given(st.text(max_size=8))
def test_limit_is_ascii_digits_in_range_or_a_400_naming_it(raw: str) -> None:
    error = refusal(lambda: limit_param(raw, 25, 100))
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 100:
        assert error is None
    else:
        assert error is not None
        assert set(error.fields) == {"limit"}


@given(st.text(max_size=40))
def test_a_time_is_read_or_a_400_naming_it(raw: str) -> None:
    error = refusal(lambda: time_param("since", raw))
    assert error is None or set(error.fields) == {"since"}


@given(st.text(max_size=MAX_LENGTH + 10))
def test_a_customer_in_the_query_follows_the_body_fields_rules(raw: str) -> None:
    error = refusal(lambda: identifier_param("customer", raw))
    if identifier_problem(stripped(raw)) is None:
        assert error is None
    else:
        assert error is not None
        assert set(error.fields) == {"customer"}


@given(st.text(st.characters(exclude_categories=["Cs"]) | st.sampled_from("\x1c\x1f\x85 *")))
def test_a_customer_is_read_alike_in_a_query_and_in_a_body(raw: str) -> None:
    in_query = refusal(lambda: identifier_param("customer", raw)) is None
    try:
        body = SubscriptionBody.model_validate({"customer": raw, "products": ["balance"]})
    except ValueError:
        in_body = False
    else:
        in_body = True
        assert body.customer == stripped(raw)
    assert in_query == in_body, repr(raw)


def test_an_empty_next_token_asks_for_the_first_page() -> None:
    assert token_param("") is None


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ("2026-12-01", "2026-12-01T00:00:00.000Z"),
        ("2026-12-01t10:00:00.123456789z", "2026-12-01T10:00:00.123Z"),
        ("2026-12-01T10:00:00+01:30", "2026-12-01T08:30:00.000Z"),
        ("2026-12-31T23:59:60Z", "2026-12-31T23:59:59.999Z"),
        # Before the calendar's first instant, or after its last: that instant.
        ("0000-06-01", "0001-01-01T00:00:00.000Z"),
        ("0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00.000Z"),
        ("9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59.999Z"),
    ],
)
def test_every_rfc_3339_time_is_read_as_its_utc_instant(raw: str, read: str) -> None:
    assert time_param("since", raw) == read


@pytest.mark.parametrize(
    "raw", ["", " 2026-12-01", "2026-12-01T10:00:00", "2026-12-01 10:00:00Z", "2026-02-29"]
)
def test_a_time_that_is_no_rfc_3339_one_is_a_400_naming_it(raw: str) -> None:
    error = refusal(lambda: time_param("since", raw))
    assert error is not None
    assert set(error.fields) == {"since"}


def routed(name: str, value: str) -> APIGatewayProxyEventV2:
    return APIGatewayProxyEventV2({"pathParameters": {name: value}})


@given(st.text(max_size=140))
def test_path_ids_are_the_characters_of_the_ids_the_api_gives(raw: str) -> None:
    error = refusal(lambda: path_id(routed("refresh_id", raw), "refresh_id", raw))
    assert (error is None) == bool(ID.fullmatch(raw))
    if error is not None:
        assert set(error.fields) == {"refresh_id"}
        assert path_problems({"refresh_id": raw}) == error.fields


@given(st.text(min_size=1, max_size=20), st.none() | st.text(min_size=1, max_size=20))
def test_every_id_the_api_gives_is_a_path_id(customer: str, bank: str | None) -> None:
    if identifier_problem(customer) is None and (bank is None or identifier_problem(bank) is None):
        sid = subscription_id_for(customer, bank)
        assert path_id(routed("subscription_id", sid), "subscription_id", sid) == sid
    for minted in ("rf_0123456789abcdef01234567", "rs_0a1b2c_0", "sw_0a1b2c3d4e5f6a7b8c9d_3_12"):
        assert path_id(routed("refresh_id", minted), "refresh_id", minted) == minted


def test_a_path_id_is_api_gateways_not_what_the_router_matched() -> None:
    # Powertools' "$" matches before a trailing newline: it hands the route "rf_1".
    error = refusal(lambda: path_id(routed("refresh_id", "rf_1\n"), "refresh_id", "rf_1"))
    assert error is not None
    assert set(error.fields) == {"refresh_id"}


@given(
    st.dictionaries(
        st.sampled_from(["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"]),
        st.text(max_size=200),
        min_size=1,
    )
)
def test_every_token_the_api_gives_is_accepted(key: dict[str, str]) -> None:
    token = encode_token({name: {"S": value} for name, value in key.items()})
    if len(token) <= MAX_TOKEN_CHARS:
        assert token_param(token) == token


@given(st.text(max_size=300))
def test_any_text_as_a_token_is_read_or_a_400_naming_it(raw: str) -> None:
    error = refusal(lambda: token_param(raw))
    assert error is None or error.fields == {"next_token": "is not one this API gave"}


@pytest.mark.parametrize(
    "json_text",
    [
        "[" * 1000,
        '{"pk": {"S": "\\ud800"}, "sk": {"S": "x"}}',
        '{"pk": ' + "9" * 700 + "}",
        '{"pk": NaN}',
        "[1]",
    ],
)
def test_a_token_of_what_strict_json_refuses_is_a_400(json_text: str) -> None:
    token = base64.urlsafe_b64encode(json_text.encode()).decode()
    error = refusal(lambda: token_param(token))
    assert error is not None
    assert error.fields == {"next_token": "is not one this API gave"}


names = st.sampled_from(["customer", "limit", "next_token", "kind", "since", "colour"])
values = st.text(max_size=10)


@given(st.lists(st.tuples(names, values), max_size=5))
def test_a_query_is_read_or_a_400_naming_the_parameter(pairs: list[tuple[str, str]]) -> None:
    allowed = ("customer", "limit", "next_token")
    error = refusal(lambda: query_params(event(pairs), allowed))
    given_names = [name for name, _ in pairs]
    unknown = [name for name in given_names if name not in allowed]
    repeated = [name for name in given_names if given_names.count(name) > 1]
    if not unknown and not repeated:
        assert error is None
    else:
        assert error is not None
        (named,) = error.fields
        assert named in unknown + repeated


def test_a_repeated_parameter_is_named_even_when_its_values_join() -> None:
    error = refusal(lambda: query_params(event([("limit", "1"), ("limit", "2")]), ("limit",)))
    assert error is not None
    assert error.fields == {"limit": "must be given once"}


def test_a_route_without_parameters_refuses_any() -> None:
    error = refusal(lambda: query_params(event([("x", "1")])))
    assert error is not None
    assert set(error.fields) == {"x"}
    assert query_params(event([])) == {}


@given(st.text(max_size=300))
def test_an_idempotency_key_is_visible_ascii_or_a_400_naming_it(raw: str) -> None:
    error = refusal(lambda: idempotency_key(raw))
    ok = 1 <= len(raw) <= 255 and all(0x21 <= ord(char) <= 0x7E for char in raw)
    assert (error is None) == ok
    if error is not None:
        assert set(error.fields) == {"idempotency-key"}


def test_no_idempotency_key_is_none() -> None:
    assert idempotency_key(None) is None
