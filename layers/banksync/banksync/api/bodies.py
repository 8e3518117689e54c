"""Request bodies, read one strict way on every route: JSON, or a 400 that names the problem.

Python's ``json`` accepts more than JSON and fails in ways that are not
``JSONDecodeError``: it takes ``NaN`` and ``Infinity``, recurses until a
``RecursionError`` on deep nesting, raises a bare ``ValueError`` for integers
past ``sys.get_int_max_str_digits()``, and returns strings holding lone
surrogates (``"\\ud800"``) that no UTF-8 store can keep. Each is closed here.
Not orjson, which refuses most of this natively: it would be one more compiled
dependency in the layer. Not pydantic_core's ``from_json``: the webhook
receiver imports no pydantic, for its cold start. The hooks of ``json`` cover
all but the nesting bound, which a scan ahead of the parse gives.
"""

import base64
import binascii
import json
import math
import re
from typing import TYPE_CHECKING, Any

from banksync.api_errors import ApiError

if TYPE_CHECKING:  # the package of event classes imports every event source's: not at start
    from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

MAX_BODY_BYTES = 256 * 1024
# Far deeper than any payload the provider or an operator sends; far below
# where the parser itself would run out of stack.
MAX_DEPTH = 64
# Longer than any amount, count or epoch (float64 holds 17 significant digits);
# well below the 4,300 digits at which int() refuses to convert.
MAX_NUMBER_CHARS = 100

_STRING_OR_BRACKET = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[\]{}]')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _StrictError(Exception):
    """Raised from the parser's hooks; the message says what was found."""


def event_body(body: str | None, is_base64_encoded: bool) -> bytes:
    """The body's bytes; API Gateway base64-encodes bodies it does not take for text.

    Not Powertools' ``decoded_body``: it returns text and fails on bytes that
    are not UTF-8, while the size limit and the UTF-8 check need the bytes.
    """
    if not body:
        return b""
    if not is_base64_encoded:
        # A text body holding a lone surrogate cannot be UTF-8; kept as bytes
        # here so that the strict decode, after authentication, refuses it.
        return body.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error:
        raise ApiError(
            400, "invalid_body", "body is not valid base64", {"body": "bad base64 encoding"}
        ) from None


def body_object(event: "BaseProxyEvent", *, optional: bool = False) -> dict[str, Any]:
    """An operator route's JSON object body; ``optional``: no body reads as ``{}``."""
    raw = event_body(event.body, bool(event.is_base64_encoded))
    if optional and not raw.strip():
        return {}
    return json_object(raw)[0]


def json_object(raw: bytes) -> tuple[dict[str, Any], str]:
    """The body as a JSON object and as the verbatim text it arrived in."""
    value, text = json_value(raw)
    if not isinstance(value, dict):
        kind = "array" if isinstance(value, list) else _json_kind(value)
        raise ApiError(
            400, "not_an_object", "body must be a JSON object", {"body": f"got a JSON {kind}"}
        )
    return value, text


def json_value(raw: bytes) -> tuple[Any, str]:
    """Any JSON value, strictly: RFC 8259 with I-JSON's unique keys and whole characters."""
    check_size(raw)
    if not raw.strip():
        raise ApiError(400, "empty_body", "body is empty", {"body": "a JSON object is required"})
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _invalid(
            "body is not UTF-8", f"JSON must be UTF-8 encoded (byte {error.start} is not)"
        ) from None
    return strict_loads(text), text


def whole_number(body: dict[str, Any], name: str, default: int, maximum: int) -> int:
    """``body[name]``, an integer from 0 to ``maximum`` (``default`` when absent).

    JSON has one kind of number: 54.0 is the integer 54, as JSON Schema counts
    it. A boolean, a string or null is no integer.
    """
    value = body.get(name, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ApiError(
            400,
            "invalid_request",
            f"{name} is invalid",
            {name: f"must be an integer from 0 to {maximum}"},
        )
    return value


def check_size(raw: bytes) -> None:
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(
            413,
            "payload_too_large",
            f"body must be at most {MAX_BODY_BYTES} bytes",
            {"body": f"{len(raw)} bytes is over the limit"},
        )


def strict_loads(text: str) -> Any:
    """``json.loads`` that refuses what JSON does not allow or a store cannot keep."""
    if _nests_deeper_than(text, MAX_DEPTH):
        raise _invalid("body nests too deeply", f"nested more than {MAX_DEPTH} levels deep")
    try:
        value = json.loads(
            text,
            parse_constant=_no_constant,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
            object_pairs_hook=_unique_keys,
        )
    except _StrictError as refusal:
        raise _invalid("body is not strict JSON", str(refusal)) from None
    except json.JSONDecodeError as error:
        raise _invalid("body is not valid JSON", error.msg) from None
    # A lone surrogate can only come from a \u escape: the text itself was UTF-8.
    found = _lone_surrogate(value) if _SURROGATE_ESCAPE.search(text) else None
    if found:
        field, where = found
        why = f"{where} holds a lone surrogate (U+D800-DFFF), which no UTF-8 text can carry"
        raise ApiError(400, "invalid_json", f"{field} is not strict JSON", {field: why})
    return value


def _nests_deeper_than(text: str, limit: int) -> bool:
    if text.count("[") + text.count("{") <= limit:
        return False  # cannot nest deeper than it has brackets
    depth = 0
    for token in _STRING_OR_BRACKET.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


def _no_constant(name: str) -> Any:
    raise _StrictError(f"{name} is not a JSON number")


def _bounded_int(literal: str) -> int:
    return int(_short_number(literal))


def _bounded_float(literal: str) -> float:
    value = float(_short_number(literal))
    if not math.isfinite(value):
        raise _StrictError(f"{literal} is out of a double's range")
    return value


def _short_number(literal: str) -> str:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _StrictError(f"a number has {len(literal)} characters; at most {MAX_NUMBER_CHARS}")
    return literal


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Parsers disagree on which of two equal keys wins: refuse rather than guess.
    found = dict(pairs)
    if len(found) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _StrictError(f"key {json.dumps(key)} appears more than once in an object")
            seen.add(key)
    return found


def _lone_surrogate(value: Any) -> tuple[str, str] | None:
    """Where a lone surrogate is: the field (``products.1``, ``body`` for the top level)
    and whether its value or one of its keys holds it."""
    pending: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while pending:
        item, path = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return ".".join(path) or "body", "the value"
        elif isinstance(item, dict):
            if any(_SURROGATE.search(key) for key in item):
                return ".".join(path) or "body", "a key"
            pending.extend((child, (*path, key)) for key, child in item.items())
        elif isinstance(item, list):
            pending.extend((child, (*path, str(n))) for n, child in enumerate(item))
    return None


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "string" if isinstance(value, str) else "number"


def _invalid(message: str, why: str) -> ApiError:
    return ApiError(400, "invalid_json", message, {"body": why})
