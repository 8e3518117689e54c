"""The linking routes' bodies: exactly one of code and account_id, and a redirect URL
the OpenAPI document's pattern describes."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from banksync.linking.bodies import LinkAccountBody, ReauthorisationBody
from banksync.string_patterns import WEBHOOK_URL_PATTERN

CODES = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40)
IDS = st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True)


@given(customer=IDS, code=st.none() | CODES, account_id=st.none() | IDS)
def test_a_body_names_both_fields_unless_exactly_one_is_given(
    customer: str, code: str | None, account_id: str | None
) -> None:
    body = LinkAccountBody.model_validate(
        {"customer": customer}
        | ({"code": code} if code is not None else {})
        | ({"account_id": account_id} if account_id is not None else {})
    )
    problem = body.link_problem()
    if (code is None) != (account_id is None):
        assert problem is None
    else:
        assert problem is not None
        assert set(problem) == {"code", "account_id"}


@given(code=st.text(max_size=20).filter(lambda t: not re.fullmatch(r"[!-~]+", t)))
def test_a_code_of_anything_but_visible_ascii_is_refused_naming_it(code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        LinkAccountBody.model_validate({"customer": "c1", "code": code})
    assert {error["loc"] for error in refused.value.errors()} == {("code",)}


@given(
    url=st.from_regex(WEBHOOK_URL_PATTERN, fullmatch=True)
    | st.text(max_size=60).map(lambda rest: f"https://{rest}")
    | st.text(max_size=60).map(lambda rest: f"http://{rest}")
)
def test_a_redirect_url_is_taken_exactly_when_the_documents_pattern_matches(url: str) -> None:
    if len(url) <= 2048 and re.fullmatch(WEBHOOK_URL_PATTERN, url) is not None:
        assert ReauthorisationBody.model_validate({"redirect_url": url}).redirect_url == url
        return
    with pytest.raises(ValidationError) as refused:
        ReauthorisationBody.model_validate({"redirect_url": url})
    assert {error["loc"] for error in refused.value.errors()} == {("redirect_url",)}


@given(reference=st.none() | IDS)
def test_the_reference_is_optional(reference: str | None) -> None:
    given_ = {"redirect_url": "https://shop.example/back"}
    body = ReauthorisationBody.model_validate(
        given_ | ({"reference": reference} if reference is not None else {})
    )
    assert body.reference == reference


@pytest.mark.parametrize("field", ["colour", "provider"])
def test_an_unknown_field_is_refused_naming_it(field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        LinkAccountBody.model_validate({"customer": "c1", "code": "c", field: "x"})
    assert {error["loc"] for error in refused.value.errors()} == {(field,)}


@given(account_id=st.text(max_size=40).filter(lambda t: not re.fullmatch(r"[A-Za-z0-9_-]+", t)))
def test_an_account_id_that_is_not_a_provider_id_is_refused_by_name(account_id: str) -> None:
    with pytest.raises(ValidationError) as refused:
        LinkAccountBody.model_validate({"customer": "c1", "account_id": account_id})
    assert [error["loc"][0] for error in refused.value.errors()] == ["account_id"]
