"""Sync cursors: an opaque, URL-safe name for "every change after sequence N".

Every change to an account's transactions (added, modified, removed) gets
the next number of that account's change sequence (1, 2, 3, … with no gaps),
written in the same conditional transaction as the change itself; the
transaction row carries it as ``change_seq`` (a Number) beside ``change``
(``added`` | ``modified`` | ``removed``), and so does every DataTable stream
record of that row.

``encode_cursor("account:<id>", n)`` is the cursor from which
``GET /accounts/<id>/transactions/sync?cursor=`` yields the changes numbered
``n + 1`` onwards, in order. So stream records carrying ``change_seq`` from
``a`` to ``b`` of one account are exactly the first ``b - a + 1`` changes
after ``encode_cursor("account:<id>", a - 1)`` (``count=b - a + 1``).
``seq = 0`` is the very start of the feed, the same as no cursor.

A customer's feed (``customer:<id>``) interleaves its accounts' sequences:
its cursor holds one position per account (``encode_positions``); an
account's feed and a customer's are not interchangeable.

Cursors are checked, not secret: a checksum catches a token that was cut
or altered by accident, the scope must be the route's own, and a position
past what the account has written is refused by the feed (``unknown``).
"""

import base64
import binascii
import hashlib
import json
import re

VERSION = 1
MAX_CURSOR_CHARS = 2048  # as long as any next_token the API takes
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,2048}")
_SCOPE = re.compile(r"(account|customer):.{1,128}", re.DOTALL)


class CursorError(ValueError):
    """A cursor this API never gave (malformed, altered, or for another scope)."""


def encode_cursor(scope: str, seq: int) -> str:
    """The cursor for the changes of ``scope`` after sequence ``seq``."""
    if seq < 0:
        raise ValueError("a change sequence is never negative")
    return _encode({"v": VERSION, "s": scope, "n": seq})


def decode_cursor(token: str) -> tuple[str, int]:
    """``(scope, seq)`` of a cursor from ``encode_cursor``; CursorError otherwise."""
    payload = _decode(token)
    seq = payload.get("n")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise CursorError("cursor is not one this API gave")
    return str(payload["s"]), seq


def encode_positions(scope: str, positions: dict[str, int]) -> str:
    """A customer cursor: the last change seen of each of its accounts."""
    return _encode({"v": VERSION, "s": scope, "p": dict(sorted(positions.items()))})


def decode_positions(token: str) -> tuple[str, dict[str, int]]:
    payload = _decode(token)
    positions = payload.get("p")
    if not isinstance(positions, dict) or not all(
        isinstance(key, str)
        and isinstance(value, int)
        and not isinstance(value, bool)
        and value >= 0
        for key, value in positions.items()
    ):
        raise CursorError("cursor is not one this API gave")
    return str(payload["s"]), positions


def _encode(payload: dict[str, object]) -> str:
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(_checksum(body) + body).decode().rstrip("=")


def _decode(token: str) -> dict[str, object]:
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise CursorError("cursor is not one this API gave")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise CursorError("cursor is not one this API gave") from None
    check, body = raw[:8], raw[8:]
    if len(raw) <= 8 or check != _checksum(body):
        raise CursorError("cursor is not one this API gave")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CursorError("cursor is not one this API gave") from None
    if (
        not isinstance(payload, dict)
        or payload.get("v") != VERSION
        or not isinstance(payload.get("s"), str)
        or not _SCOPE.fullmatch(payload["s"])
    ):
        raise CursorError("cursor is not one this API gave")
    return payload


def _checksum(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=8, person=b"banksync-cursor").digest()
