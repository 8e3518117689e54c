"""The OpenAPI document's string rules are the code's: each pattern or format accepts
exactly what the code that reads the value accepts."""

import ipaddress
import re
from functools import cache

import jsonschema_rs
from hypothesis import given
from hypothesis import strategies as st

from banksync.api.params import instant
from banksync.identifiers import WHITESPACE, identifier_problem, stripped
from banksync.string_patterns import WEBHOOK_URL_PATTERN, identifier_pattern
from banksync.subscriptions.webhook_urls import webhook_url_problem


@cache
def identifier() -> re.Pattern[str]:
    return re.compile(identifier_pattern())


@cache
def validator(schema: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for({"type": "string", "pattern": schema}, validate_formats=True)


# Characters an identifier may or may not hold: hidden ones (controls, format
# characters, separators, some past U+FFFF), whitespace, "*", and plain text.
tricky = st.sampled_from(
    [
        *WHITESPACE,
        "\x00",
        "\x1c",
        "\x7f",
        "\x9f",
        "\xad",
        "\u200b",
        "\u2028",
        "\u2066",
        "\ufeff",
        "\U000110bd",
        "\U000e0001",
        "\U000e007f",
        "\U0001d173",
        "*",
    ]
)
characters = st.characters(exclude_categories=["Cs"]) | tricky


@given(st.text(characters, max_size=140) | st.text(st.sampled_from("a *\t"), max_size=5))
def test_the_identifier_pattern_is_the_identifier_rule(value: str) -> None:
    allowed = identifier_problem(stripped(value)) is None
    assert bool(identifier().fullmatch(value)) == allowed, repr(value)
    assert validator(identifier_pattern()).is_valid(value) == allowed, repr(value)


def test_an_identifier_is_at_most_128_characters_once_stripped() -> None:
    assert identifier().fullmatch(" " * 50 + "a" * 128 + "\u3000")
    assert not identifier().fullmatch("a" * 129)


# RFC 3339 times and near misses: out-of-range fields, other separators, missing parts.
def two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:02d}")


times = st.builds(
    lambda y, mo, d, sep, h, mi, s, frac, off: (
        f"{y:04d}-{mo}-{d}" + ("" if sep is None else f"{sep}{h}:{mi}:{s}{frac}{off}")
    ),
    st.integers(0, 9999),
    two(0, 13),
    two(0, 32),
    st.none() | st.sampled_from(["T", "t", " ", "_"]),
    two(0, 24),
    two(0, 60),
    two(0, 61),
    st.sampled_from(["", ".5", ".123456789", "."]),
    st.sampled_from(["Z", "z", "", "+00:00", "-05:30", "+23:59", "+24:00", "+05:60", "+0500"]),
)
DATE_TIME = jsonschema_rs.validator_for({"format": "date-time"}, validate_formats=True)
DATE = jsonschema_rs.validator_for({"format": "date"}, validate_formats=True)


@given(times | st.text(max_size=30))
def test_a_time_is_read_exactly_when_it_is_an_rfc_3339_date_time_or_date(raw: str) -> None:
    assert (instant(raw) is not None) == (DATE_TIME.is_valid(raw) or DATE.is_valid(raw)), raw


def public(host: str) -> list[str]:
    """DNS for hosts that exist: an address is itself, a name is public."""
    try:
        return [str(ipaddress.IPv4Address(host))]
    except ValueError:
        return ["93.184.215.14"]


# What DNS says of a host, which no pattern can: the document says it in words.
DNS_VERDICTS = ("resolves to a non-public address", "host ")


@given(st.from_regex(WEBHOOK_URL_PATTERN, fullmatch=True).filter(lambda url: len(url) <= 2048))
def test_every_webhook_url_the_pattern_allows_is_one_the_code_takes(url: str) -> None:
    problem = webhook_url_problem(url, resolve=public)
    assert problem is None or problem.startswith(DNS_VERDICTS), (url, problem)


@given(
    st.builds(
        lambda scheme, host, port, rest: f"{scheme}://{host}{port}{rest}",
        st.sampled_from(["https", "HTTPS", "http", "ftp", "https:"]),
        st.sampled_from(["hooks.example.com", "8.8.8.8", "10.0.0.1", "u@h.com", "", "a b"]),
        st.sampled_from(["", ":443", ":0", ":65536", ":x", ":"]),
        st.sampled_from(["", "/okra", "/a b", "?q=1", "#f", "/\x7f", "/ü"]),
    )
)
def test_every_webhook_url_the_code_takes_is_one_the_pattern_allows(url: str) -> None:
    if webhook_url_problem(url, resolve=public) is None:
        assert re.fullmatch(WEBHOOK_URL_PATTERN, url), url
