"""Sync cursors: opaque, URL-safe, and refused when cut, altered or foreign."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banksync.feed.cursor import (
    CursorError,
    decode_cursor,
    decode_positions,
    encode_cursor,
    encode_positions,
)

scopes = st.builds(
    lambda kind, name: f"{kind}:{name}",
    st.sampled_from(["account", "customer"]),
    st.text(min_size=1, max_size=128),
)
seqs = st.integers(0, 10**15)


@given(scopes, seqs)
def test_a_cursor_reads_back_as_it_was_made(scope: str, seq: int) -> None:
    token = encode_cursor(scope, seq)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token), "URL-safe, no padding"
    assert decode_cursor(token) == (scope, seq)


@given(scopes, st.dictionaries(st.text(min_size=1, max_size=30), seqs, max_size=8))
def test_a_customer_cursor_keeps_every_position(scope: str, positions: dict[str, int]) -> None:
    assert decode_positions(encode_positions(scope, positions)) == (scope, positions)


@given(scopes, seqs, st.data())
def test_an_altered_cursor_is_refused_or_unchanged(
    scope: str, seq: int, data: st.DataObject
) -> None:
    token = encode_cursor(scope, seq)
    at = data.draw(st.integers(0, len(token) - 1))
    other = data.draw(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    )
    altered = token[:at] + other + token[at + 1 :]
    try:
        decoded = decode_cursor(altered)
    except CursorError:
        return
    # Only the unused low bits of the last character can change and mean the same.
    assert decoded == (scope, seq)


@given(scopes, seqs, st.integers(1, 20))
def test_a_cut_cursor_is_refused(scope: str, seq: int, cut: int) -> None:
    token = encode_cursor(scope, seq)
    with pytest.raises(CursorError):
        decode_cursor(token[: max(0, len(token) - cut)] or "x")


@given(st.text(max_size=200))
def test_anything_else_is_refused_never_an_error(token: str) -> None:
    with pytest.raises(CursorError):
        decode_cursor(token)


def test_an_account_cursor_is_no_customer_cursor_and_back() -> None:
    with pytest.raises(CursorError):
        decode_positions(encode_cursor("account:a", 3))
    with pytest.raises(CursorError):
        decode_cursor(encode_positions("customer:c", {"a": 3}))


def test_a_negative_sequence_is_never_encoded() -> None:
    with pytest.raises(ValueError, match="negative"):
        encode_cursor("account:a", -1)
