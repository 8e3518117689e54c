"""What may name a customer, a bank or an account: printable text, nothing that hides.

Identifiers become keys (``CUSTOMER#<id>``), parts of derived ids and log
fields, so none may carry a control character (a newline would let two
different pairs derive one subscription id), an invisible format character
(two ids that print alike), a lone surrogate (not storable as UTF-8) or a
line/paragraph separator. ``*`` alone means "all banks" and so is no bank's id.
Whitespace around an identifier is dropped (``stripped``), the same in a body
and in a query, before these rules apply.
"""

import unicodedata

MAX_LENGTH = 128
ALL_BANKS = "*"
HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Unicode's White_Space characters: what is dropped around an identifier.
WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def stripped(value: str) -> str:
    return value.strip(WHITESPACE)


def identifier_problem(value: str) -> str | None:
    """Why ``value`` cannot be an identifier, or None if it can."""
    if not value:
        return "must not be empty"
    if len(value) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    for position, char in enumerate(value):
        if unicodedata.category(char) in HIDDEN:
            code = f"U+{ord(char):04X}"
            return f"must not contain control or invisible characters ({code} at {position})"
    if value == ALL_BANKS:
        return f"{ALL_BANKS!r} alone means every bank and is no identifier"
    return None


def checked_identifier(value: str) -> str:
    """``value`` if it is an identifier (a pydantic ``AfterValidator``)."""
    problem = identifier_problem(value)
    if problem:
        raise ValueError(problem)
    return value
