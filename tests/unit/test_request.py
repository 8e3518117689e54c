import base64

import pytest

from banksync.api_errors import ApiError
from banksync.inbound.request import (
    MAX_BODY_BYTES,
    bearer_token,
    parse_json_object,
    request_body,
)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer   abc  ", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        ("Bearer   ", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/x+json",
    ],
)
def test_json_content_types_are_accepted(content_type: str) -> None:
    payload, text = parse_json_object(b'{"a": 1}', content_type)
    assert payload == {"a": 1}
    assert text == '{"a": 1}'


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code", "field"),
    [
        (b"", "application/json", 400, "empty_body", "body"),
        (b"  \n", "application/json", 400, "empty_body", "body"),
        (b"{not json", "application/json", 400, "invalid_json", "body"),
        (b"\xff\xfe{}", "application/json", 400, "invalid_json", "body"),
        (b"[1, 2]", "application/json", 400, "not_an_object", "body"),
        (b'"text"', "application/json", 400, "not_an_object", "body"),
        (b"42", "application/json", 400, "not_an_object", "body"),
        (b"null", "application/json", 400, "not_an_object", "body"),
        (b'{"a": 1}', "text/plain", 400, "unsupported_content_type", "content-type"),
        (b'{"a": 1}', None, 400, "unsupported_content_type", "content-type"),
        (
            b'{"a": 1}',
            "application/x-www-form-urlencoded",
            400,
            "unsupported_content_type",
            "content-type",
        ),
    ],
)
def test_bad_bodies_are_rejected_naming_the_field(
    body: bytes, content_type: str | None, status: int, code: str, field: str
) -> None:
    with pytest.raises(ApiError) as caught:
        parse_json_object(body, content_type)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert field in caught.value.fields


def test_array_rejection_says_what_it_got() -> None:
    with pytest.raises(ApiError) as caught:
        parse_json_object(b"[]", "application/json")
    assert caught.value.fields == {"body": "got a JSON array"}


def test_size_limit_is_exact() -> None:
    padding = MAX_BODY_BYTES - len(b'{"p": ""}')
    at_limit = b'{"p": "' + b"x" * padding + b'"}'
    assert len(at_limit) == MAX_BODY_BYTES
    parse_json_object(at_limit, "application/json")
    with pytest.raises(ApiError) as caught:
        parse_json_object(at_limit + b" ", "application/json")
    assert caught.value.status == 413


def test_request_body_decodes_base64_and_rejects_bad_base64() -> None:
    assert request_body(base64.b64encode(b'{"a":1}').decode(), True) == b'{"a":1}'
    assert request_body('{"a":1}', False) == b'{"a":1}'
    assert request_body(None, False) == b""
    with pytest.raises(ApiError) as caught:
        request_body("not base64!", True)
    assert caught.value.fields == {"body": "bad base64 encoding"}
