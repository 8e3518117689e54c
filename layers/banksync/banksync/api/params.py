"""Query, path and header values, validated as strictly as bodies: a bad one is a 400 naming it."""

import base64
import binascii
import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from banksync.api.bodies import strict_loads
from banksync.api_errors import ApiError
from banksync.clock import iso
from banksync.identifiers import identifier_problem, stripped

DIGITS = re.compile(r"[0-9]{1,6}")  # ASCII digits only: "²" is not an integer
# Every id this API hands out (sub_…, rf_…, rs_…_0, sw_…) is of these characters.
ID = re.compile(r"[A-Za-z0-9_.-]{1,128}")
ID_RULE = "must be 1 to 128 letters, digits, '_', '-' or '.'"
# Far longer than any token this API gives (a DynamoDB key of four short
# strings), far shorter than what would make decoding it cost anything.
MAX_TOKEN_CHARS = 2048
TOKEN = re.compile(r"[A-Za-z0-9_-]+={0,2}")
MAX_VALUE_CHARS = 256
KEY_HEADER_VALUE = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII
# RFC 3339: a full-date, or a date-time with its offset (what JSON Schema's "date"
# and "date-time" formats mean).
_INSTANT = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2})))?"
)
TIME_RULE = "must be an RFC 3339 date-time (2026-12-01T00:00:00Z) or date (2026-12-01)"
_FIRST = datetime.min.replace(tzinfo=UTC)
_SPAN = datetime.max.replace(tzinfo=UTC) - _FIRST


def query_params(event: BaseProxyEvent, names: tuple[str, ...] = ()) -> dict[str, str]:
    """The query string's values, refused if it names anything but ``names``, or one twice.

    API Gateway joins a repeated key's values with commas, so a repeat can only
    be seen in the raw query string.
    """
    values: Mapping[str, str] = event.query_string_parameters or {}
    for name in values:
        if name not in names:
            allowed = ", ".join(names) or "none"
            raise _invalid(name, f"is not a parameter of this route (it takes {allowed})")
    seen: set[str] = set()
    for pair in str(event.get("rawQueryString") or "").split("&"):
        name = unquote_plus(pair.partition("=")[0])
        if not name:
            continue  # "a=1&&b=2": an empty pair names nothing
        if name in seen:
            raise _invalid(name, "must be given once")
        seen.add(name)
    for name, value in values.items():
        # A customer's sync cursor holds a position per account: a token's length.
        long_ok = name in ("next_token", "cursor")
        if len(value) > (MAX_TOKEN_CHARS if long_ok else MAX_VALUE_CHARS):
            raise _invalid(name, "is too long")
    return dict(values)


@dataclass(frozen=True, slots=True)
class PageQuery:
    """A list route's query: its own parameters, and the page asked for."""

    params: dict[str, str]
    limit: int
    next_token: str | None


def page_query(
    event: BaseProxyEvent, names: tuple[str, ...], default: int, maximum: int
) -> PageQuery:
    """The query of a list: ``names`` beside ``limit`` and ``next_token``, each checked."""
    params = query_params(event, (*names, "limit", "next_token"))
    limit = limit_param(params.get("limit"), default, maximum)
    return PageQuery(params, limit, token_param(params.get("next_token")))


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
    """An RFC 3339 time (a date alone means its midnight UTC), as stored times are written."""
    if raw is None:
        return None
    moment = instant(raw)
    if moment is None:
        raise _invalid(name, TIME_RULE)
    return iso(moment)


def instant(raw: str) -> datetime | None:
    """The UTC instant an RFC 3339 date-time or full-date names; None if it names none.

    Any such time is a bound of some window: one before the calendar's first
    instant or after its last (year 0000, or 0001-01-01T00:00:00+01:00) reads as
    that first or last instant.
    """
    found = _INSTANT.fullmatch(raw)
    if not found:
        return None
    year, month, day, hour, minute, second = (int(part or 0) for part in found.groups()[:6])
    fraction, sign, offset_hours, offset_minutes = found.groups()[6:]
    offset = (int(offset_hours or 0) * 60 + int(offset_minutes or 0)) * (-1 if sign == "-" else 1)
    if not (
        1 <= month <= 12
        and 1 <= day <= _days_in(year, month)
        and hour <= 23
        and minute <= 59
        and int(offset_hours or 0) <= 23
        and int(offset_minutes or 0) <= 59
        # A leap second is the last of a UTC day.
        and (second <= 59 or (second == 60 and (hour * 60 + minute - offset) % 1440 == 1439))
    ):
        return None
    # Year 0 is a leap year, as year 4 is: its days come 1,461 days before year 4's.
    days = date(year or 4, month, day).toordinal() - 1 - (0 if year else 1461)
    since_first = timedelta(
        days=days,
        minutes=hour * 60 + minute - offset,
        seconds=min(second, 59),
        microseconds=999_999 if second == 60 else int((fraction or "0")[:6].ljust(6, "0")),
    )
    return _FIRST + min(max(since_first, timedelta(0)), _SPAN)


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year or 4, month)[1]


def identifier_param(name: str, raw: str | None) -> str | None:
    """A customer or bank id, by the rules (and the stripping) its body field has."""
    if raw is None:
        return None
    value = stripped(raw)
    problem = identifier_problem(value)
    if problem:
        raise _invalid(name, problem)
    return value


def token_param(raw: str | None) -> str | None:
    """A ``next_token`` that is at least one this API could have given.

    Its key is checked by the listing it belongs to; here, that it is
    URL-safe base64 of a strict JSON object, so that a forged one is a 400
    before it reaches a decoder or DynamoDB. Empty, it asks for the first
    page, as no token does: a client's loop may start from an empty one.
    """
    if not raw:
        return None
    why = "is not one this API gave"
    if not TOKEN.fullmatch(raw):
        raise _invalid("next_token", why)
    try:
        key = strict_loads(base64.urlsafe_b64decode(raw).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ApiError):
        raise _invalid("next_token", why) from None
    if not isinstance(key, dict):
        raise _invalid("next_token", why)
    return raw


def path_id(event: BaseProxyEvent, name: str, matched: str) -> str:
    """The id in the path, as API Gateway read it.

    Powertools' router anchors routes with ``$``, which also matches before a
    trailing newline: ``/refreshes/rf_1%0A`` reaches the route as ``rf_1``.
    API Gateway's own value (``pathParameters``) is the one checked.
    """
    raw = (event.get("pathParameters") or {}).get(name, matched)
    if raw != matched or not ID.fullmatch(raw):
        raise _invalid(name, ID_RULE)
    return matched


def path_problems(parameters: Mapping[str, str]) -> dict[str, str]:
    """The path values that no id could be, each with the rule it breaks."""
    return {name: ID_RULE for name, value in parameters.items() if not ID.fullmatch(value)}


def idempotency_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not KEY_HEADER_VALUE.fullmatch(raw):
        raise _invalid("idempotency-key", "must be 1 to 255 visible ASCII characters")
    return raw


def _invalid(name: str, why: str) -> ApiError:
    return ApiError(400, "invalid_request", f"{name} is invalid", {name: why})
