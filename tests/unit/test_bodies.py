"""The one strict JSON reader every route reads its body with."""

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banksync.api.bodies import (
    MAX_BODY_BYTES,
    MAX_DEPTH,
    MAX_NUMBER_CHARS,
    event_body,
    json_object,
    json_value,
    strict_loads,
    whole_number,
)
from banksync.api_errors import ApiError
from banksync.subscriptions.body import SubscriptionBody

# JSON values as they are: finite numbers, whole characters, unique keys.
characters = st.characters(codec="utf-8")
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    scalars | st.text(characters),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(characters), inner, max_size=4)
    ),
    max_leaves=20,
)


def refusal(raw: bytes) -> ApiError:
    with pytest.raises(ApiError) as caught:
        json_value(raw)
    return caught.value


def outcome(read: Callable[[Any], Any], raw: Any) -> ApiError | None:
    """The refusal, if ``read`` refuses ``raw``; any other exception fails the test."""
    try:
        read(raw)
    except ApiError as error:
        return error
    return None


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


@given(json_values, st.booleans())
def test_every_json_value_reads_back_as_written(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert strict_loads(text) == value
    assert json_value(text.encode()) == (value, text)


@given(st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_naming_the_body(raw: bytes) -> None:
    error = outcome(json_value, raw)
    if error is not None:
        assert error.status == 400
        assert error.code in {"empty_body", "invalid_json"}
        assert error.fields["body"]


@given(st.text(alphabet='[]{}":,0123456789.eE+-\\u trfalsenNaIiy', max_size=200))
def test_any_json_like_text_is_read_or_refused_naming_the_body(text: str) -> None:
    error = outcome(strict_loads, text)
    if error is not None:
        assert (error.status, error.code) == (400, "invalid_json")
        assert error.fields["body"]


@given(json_values, st.sampled_from(["NaN", "Infinity", "-Infinity"]))
def test_nan_and_infinity_are_refused_wherever_they_are(value: Any, constant: str) -> None:
    document = '{"value": ' + json.dumps(value) + ', "x": [1, ' + constant + "]}"
    error = refusal(document.encode())
    assert error.code == "invalid_json"
    assert constant in error.fields["body"]


@given(st.integers(1, 3 * MAX_DEPTH), st.lists(st.booleans(), min_size=1), st.booleans())
def test_nesting_is_bounded_and_strings_do_not_count(
    levels: int, kinds: list[bool], noisy_strings: bool
) -> None:
    noise = '"[[{{\\"]]"' if noisy_strings else "0"
    opening = "".join("[" if kinds[i % len(kinds)] else '{"k":' for i in range(levels))
    closing = "".join("]" if kinds[i % len(kinds)] else "}" for i in reversed(range(levels)))
    text = opening + noise + closing
    if levels <= MAX_DEPTH:
        assert depth(strict_loads(text)) == levels
    else:
        error = refusal(text.encode())
        assert error.fields == {"body": f"nested more than {MAX_DEPTH} levels deep"}


def test_nesting_far_past_the_interpreters_stack_is_a_400() -> None:
    for text in ("[" * 200_000, "[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1"):
        assert refusal(text.encode()).code == "invalid_json"


@given(st.integers(1, 3 * MAX_NUMBER_CHARS), st.sampled_from(["", "-", "0.", "1e"]))
def test_numbers_are_bounded_in_length(digits: int, prefix: str) -> None:
    literal = prefix + "7" * digits
    text = '{"n": ' + literal + "}"
    if len(literal) > MAX_NUMBER_CHARS:
        assert "characters" in refusal(text.encode()).fields["body"]
    elif prefix == "1e" and digits >= 3:  # 1e777 is no double
        assert "range" in refusal(text.encode()).fields["body"]
    else:
        assert strict_loads(text) == {"n": json.loads(literal)}


def test_a_number_past_a_doubles_range_is_refused() -> None:
    assert "range" in refusal(b'{"hours": 1e400}').fields["body"]
    assert "range" in refusal(b"[-1e309]").fields["body"]


@given(st.integers(0xD800, 0xDFFF), st.text(characters, max_size=5), st.booleans())
def test_lone_surrogates_are_refused_in_keys_and_values(
    code: int, around: str, in_key: bool
) -> None:
    escaped = json.dumps(around)[1:-1] + f"\\u{code:04x}"
    text = f'{{"{escaped}": 1}}' if in_key else f'{{"k": ["{escaped}"]}}'
    error = refusal(text.encode())
    field = "body" if in_key else "k.0"
    assert "surrogate" in error.fields[field]
    assert error.message == f"{field} is not strict JSON"


@pytest.mark.parametrize(
    ("text", "field", "where"),
    [
        ('{"customer": "a\\ud800"}', "customer", "the value"),
        ('{"products": ["balance", "\\udfff"]}', "products.1", "the value"),
        ('{"raw": {"notes": {"desc": "\\udbff!"}}}', "raw.notes.desc", "the value"),
        ('{"raw": {"\\ud800": 1}}', "raw", "a key"),
        ('["\\ud800"]', "0", "the value"),
    ],
)
def test_a_lone_surrogate_names_the_field_that_holds_it(text: str, field: str, where: str) -> None:
    error = refusal(text.encode())
    assert (error.status, error.code) == (400, "invalid_json")
    assert list(error.fields) == [field]
    assert field in error.message
    assert error.fields[field].startswith(where)


@given(st.integers(0x10000, 0x10FFFF))
def test_escaped_surrogate_pairs_are_whole_characters(code: int) -> None:
    text = json.dumps({"k": chr(code)})  # ensure_ascii: a \\ud8xx\\udcxx pair
    assert "\\ud" in text
    assert strict_loads(text) == {"k": chr(code)}


def test_a_duplicate_key_is_refused_naming_it() -> None:
    error = refusal(b'{"a": 1, "b": {"c": 1, "c": 2}}')
    assert error.fields == {"body": 'key "c" appears more than once in an object'}


@given(st.binary(min_size=1, max_size=50).filter(lambda raw: not _is_utf8(raw)))
def test_bytes_that_are_not_utf8_are_refused(raw: bytes) -> None:
    error = refusal(b'{"k": "' + raw + b'"}')
    assert error.message == "body is not UTF-8"


def test_bodies_over_the_limit_are_413() -> None:
    at_limit = b'{"p": "' + b"x" * (MAX_BODY_BYTES - 9) + b'"}'
    assert json_value(at_limit)[0]["p"]
    assert refusal(at_limit + b" ").status == 413


@pytest.mark.parametrize(
    ("raw", "kind"), [(b"[]", "array"), (b'"s"', "string"), (b"1.5", "number"), (b"null", "null")]
)
def test_a_json_object_is_required(raw: bytes, kind: str) -> None:
    with pytest.raises(ApiError) as caught:
        json_object(raw)
    assert (caught.value.code, caught.value.fields) == (
        "not_an_object",
        {"body": f"got a JSON {kind}"},
    )


@given(st.binary(max_size=100))
def test_event_bodies_come_back_as_the_bytes_sent(raw: bytes) -> None:
    assert event_body(base64.b64encode(raw).decode(), True) == raw


def test_a_text_body_with_a_lone_surrogate_is_refused_not_a_crash() -> None:
    raw = event_body('{"k": "\ud800"}', False)
    assert refusal(raw).message == "body is not UTF-8"


def test_bad_base64_is_a_400() -> None:
    with pytest.raises(ApiError) as caught:
        event_body("not base64!", True)
    assert caught.value.fields == {"body": "bad base64 encoding"}


def _is_utf8(raw: bytes) -> bool:
    try:
        (b'{"k": "' + raw + b'"}').decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize(("given", "read"), [(54, 54), (54.0, 54), (0.0, 0), (1e2, 100)])
def test_an_integer_may_come_as_a_number_with_no_fraction(given: Any, read: int) -> None:
    # JSON Schema's "integer" is any number without a fractional part.
    assert whole_number({"hours": given}, "hours", 1, 100) == read
    body = SubscriptionBody.model_validate(
        {"customer": "c", "products": ["balance"], "webhook_rate_per_second": given or 1}
    )
    assert body.webhook_rate_per_second == (read or 1)


@pytest.mark.parametrize("given", [54.5, True, "54", None, -1, 101, 1e300])
def test_anything_else_is_no_integer(given: Any) -> None:
    with pytest.raises(ApiError) as caught:
        whole_number({"hours": given}, "hours", 1, 100)
    assert caught.value.fields == {"hours": "must be an integer from 0 to 100"}
