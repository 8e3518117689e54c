"""Mono's figures, dates and currencies read exactly, or refused by name.

Mono sends every amount and balance as an integer in the currency's minor unit
(kobo, pesewa, cents), so nothing is scaled: a figure is an int or a string of
digits, and anything else (a float, a decimal string, a bool) is refused rather
than guessed at, because a guess could store a wrong amount. A refusal is a
``MonoValueError`` (a ValueError) naming the field.
"""

from datetime import UTC, datetime
from typing import Any

from banksync.clock import iso

# Far beyond any account's figure, well inside DynamoDB's 38-digit numbers.
MAX_DIGITS = 30
# The docs write the Ghanaian and Kenyan currencies by their old or local names.
CURRENCY_ALIASES = {"GHC": "GHS", "KSH": "KES"}


class MonoValueError(ValueError):
    """A field of Mono's data that cannot be read without guessing."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


def minor_units(value: Any, field: str, *, signed: bool = False) -> int:
    """``value`` as an integer count of minor units; MonoValueError if it is not one.

    Transaction amounts are never negative (the direction is in ``type``);
    balances may be (an overdrawn account), hence ``signed``.
    """
    if isinstance(value, bool) or value is None:
        raise MonoValueError(field, "missing" if value is None else "not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        number = _digits(value.strip(), field, signed)
    else:
        raise MonoValueError(field, f"not a whole number of minor units ({type(value).__name__})")
    if number < 0 and not signed:
        raise MonoValueError(field, "negative, but the direction is given apart")
    if len(str(abs(number))) > MAX_DIGITS:
        raise MonoValueError(field, "too many digits")
    return number


def _digits(text: str, field: str, signed: bool) -> int:
    sign, body = (-1, text[1:]) if signed and text.startswith("-") else (1, text)
    if not (body.isascii() and body.isdigit()):
        raise MonoValueError(field, "not a whole number of minor units")
    if len(body) > MAX_DIGITS:
        raise MonoValueError(field, "too many digits")
    return sign * int(body)


def instant(value: Any, field: str) -> tuple[str, str]:
    """(the calendar date as Mono gave it, the instant in UTC) of an ISO-8601 time."""
    if not isinstance(value, str) or not value.strip():
        raise MonoValueError(field, "missing" if value in (None, "") else "not a date")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise MonoValueError(field, "not an ISO-8601 date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.date().isoformat(), iso(moment)
    except OverflowError:  # year 1 at a positive offset, or 9999 at a negative one
        raise MonoValueError(field, "out of range") from None


def currency(value: Any) -> str | None:
    """An ISO 4217 code of Mono's currency text (``ngn``, ``GHC``); None if it is not one."""
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    code = CURRENCY_ALIASES.get(code, code)
    return code if len(code) == 3 and code.isascii() and code.isalpha() else None


def text(value: Any, limit: int = 1024) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:limit]
    return None
