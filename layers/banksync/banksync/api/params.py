"""Query-string values, validated as strictly as bodies: a bad one is a 400 naming it."""

import re
from datetime import UTC, datetime

from banksync.api_errors import ApiError
from banksync.clock import iso

DIGITS = re.compile(r"[0-9]{1,6}")  # ASCII digits only: "²" is not an integer


def limit_param(raw: str | None, default: int, maximum: int) -> int:
    if raw is None:
        return default
    if not DIGITS.fullmatch(raw) or not 1 <= int(raw) <= maximum:
        raise _invalid("limit", f"must be an integer from 1 to {maximum}")
    return int(raw)


def choice_param(name: str, raw: str | None, choices: tuple[str, ...]) -> str | None:
    if raw is None:
        return None
    if raw not in choices:
        raise _invalid(name, f"must be one of {', '.join(choices)}")
    return raw


def time_param(name: str, raw: str | None) -> str | None:
    """An ISO-8601 time (a date alone means its midnight UTC), as stored times are written."""
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        return iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except (ValueError, OverflowError):  # OverflowError: years 1 and 9999 at other offsets
        raise _invalid(name, "must be an ISO-8601 time, e.g. 2026-12-01T00:00:00Z") from None


def _invalid(name: str, why: str) -> ApiError:
    return ApiError(400, "invalid_request", f"{name} is invalid", {name: why})
