"""Provider amounts as integers in minor units, exactly: never through a float.

Okra sends amounts as JSON numbers (``1500.5``) or strings (``"1,500.50"``,
``"NGN 1,500.50"`` is not seen and is refused). Amounts are in major units
(naira, shillings, rand); each currency's minor unit is from ISO 4217. A
value finer than the minor unit is rounded half-even (the raw row keeps the
provider's own figure).
"""

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

# ISO 4217 exponents that are not 2 (every other currency has 2 decimals).
_EXPONENTS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"), 0),
    **dict.fromkeys(("RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
MAX_DIGITS = 30


def exponent(currency: str | None) -> int:
    return _EXPONENTS.get((currency or "").upper(), 2)


def decimal_amount(value: Any) -> Decimal | None:
    """The provider's figure as an exact Decimal; None for absent or unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as this float: 1500.5, not 1500.49999…
        exact = Decimal(repr(value))
        return exact if exact.is_finite() else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.fullmatch(text) or len(text) > MAX_DIGITS:
            return None
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover: the pattern admits only numbers
            return None
    return None


def minor_units(value: Any, currency: str | None) -> int | None:
    """``value`` (major units) in the currency's minor units; None if unreadable."""
    amount = decimal_amount(value)
    if amount is None:
        return None
    scaled = amount.scaleb(exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return int(scaled)
