"""The rules of the API's strings, as the OpenAPI document's patterns.

A pattern must read alike in ECMA-262 (with Unicode code points), Python's ``re``
and Rust's ``regex`` (the validators a client or a test may use): a code point of
the Basic Multilingual Plane is written ``\\uXXXX``; one beyond it, which the three
spell differently, is written as itself (the document's JSON escapes it).

Built when the document is generated, from the very sets the code checks with
(``identifiers.HIDDEN``, ``identifiers.WHITESPACE``): tests/unit/test_api_patterns.py
holds each pattern to the code's own verdict.
"""

import sys
import unicodedata
from collections.abc import Callable
from functools import cache

from banksync.identifiers import ALL_BANKS, HIDDEN, MAX_LENGTH, WHITESPACE

# A URL's host name: labels of letters, digits and inner hyphens (an IPv4 address is
# one such). Whether it resolves, and to public addresses only, is checked when the
# subscription is saved and before each delivery.
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"{_LABEL}(?:\.{_LABEL})*\.?"
_PORT = "0*(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
# After the host, anything but spaces and control characters.
WEBHOOK_URL_PATTERN = (
    rf"^[Hh][Tt][Tt][Pp][Ss]://{_HOST}(?::(?:{_PORT})?)?(?:[/?#][^\x00-\x20\x7f]*)?$"
)


@cache
def identifier_pattern() -> str:
    """An identifier as a body or query gives it: whitespace around it, then 1 to 128
    characters none of them hidden, neither end whitespace, and not ``*`` alone."""
    # Lone surrogates are left out: no UTF-8 text (and no strict JSON) carries one.
    hidden = _ranges(lambda char: unicodedata.category(char) in HIDDEN - {"Cs"})
    space = _ranges(lambda char: char in WHITESPACE)
    inner = f"[^{hidden}]"
    edge = f"[^{hidden}{space}]"
    alone = f"[^{hidden}{space}{_escape(ord(ALL_BANKS))}]"
    return f"^[{space}]*(?:{alone}|{edge}{inner}{{0,{MAX_LENGTH - 2}}}{edge})[{space}]*$"


def _ranges(member: Callable[[str], bool]) -> str:
    """The code points ``member`` holds, as the inside of a character class."""
    parts, start = [], None
    for code in range(sys.maxunicode + 2):
        inside = code <= sys.maxunicode and member(chr(code))
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            last = code - 1
            parts.append(_escape(start) if start == last else f"{_escape(start)}-{_escape(last)}")
            start = None
    return "".join(parts)


def _escape(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)
