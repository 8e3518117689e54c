"""Requests for every route, built from the API's own rules: valid ones, and ones with
exactly one defect whose 400 must name it, and bytes nobody vouches for.

A case's ``expect`` says what the answer must be about: ``None`` for a valid
request, the name a 400 must give (``"body"``, ``"limit"``, ``"subscription_id"``,
…) for a request with one defect, ``UNKNOWN`` for junk whose validity the
generator does not claim.
"""

import base64
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args
from urllib.parse import quote

from hypothesis import strategies as st

from banksync.api.bodies import MAX_DEPTH, MAX_NUMBER_CHARS
from banksync.api.deliveries import MAX_OVERLAP_HOURS
from banksync.api.params import ID, MAX_TOKEN_CHARS
from banksync.api.sweeps import MAX_STALE_HOURS
from banksync.delivery.model import STATUSES
from banksync.identifiers import MAX_LENGTH, identifier_problem
from banksync.paging import encode_token
from banksync.provider.model import Product
from banksync.refresh.listing import KINDS
from banksync.subscriptions.body import MAX_WEBHOOK_RATE_PER_SECOND
from banksync.subscriptions.intervals import Interval
from banksync.subscriptions.models import WEBHOOK_STATES
from tests.support.lambdas import WEBHOOK_TOKEN, load_event
from tests.support.stack import MONO_WEBHOOK_SECRET

UNKNOWN = "?"
PRODUCTS: tuple[str, ...] = get_args(Product)
INTERVALS: tuple[str, ...] = get_args(Interval)
WEBHOOK_FIXTURES = (
    "webhook_auth_success.json",
    "webhook_balance_success.json",
    "webhook_periodic_transactions.json",
)
JSON_TYPES = ("application/json", "application/json; charset=utf-8", "application/vnd.okra+json")
OTHER_TYPES = ("text/plain", "application/octet-stream", "application/x-www-form-urlencoded")


@dataclass(frozen=True, repr=False)
class Case:
    method: str
    route: str  # as template.yaml writes it: /subscriptions/{subscription_id}
    path_values: dict[str, str] = field(default_factory=dict)
    query: tuple[tuple[str, str], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    expect: str | None = None
    as_text: bool = True  # a UTF-8 body as text, else base64 (API Gateway does either)

    @property
    def key(self) -> str:
        return f"{self.method} {self.route}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis's printer
        printer.text(repr(self))

    def __repr__(self) -> str:
        # Bodies run to tens of kilobytes (20,000 levels of nesting): a falsifying
        # example shows their start and their length.
        body = self.body if self.body is None or len(self.body) <= 300 else self.body[:300]
        size = "" if self.body is None or len(self.body) <= 300 else f" ({len(self.body)} bytes)"
        return (
            f"Case({self.method!r}, {self.route!r}, path_values={self.path_values!r}, "
            f"query={self.query!r}, headers={self.headers!r}, body={body!r}{size}, "
            f"expect={self.expect!r}, as_text={self.as_text!r})"
        )

    @property
    def path(self) -> str:
        """As API Gateway hands it over: values decoded."""
        path = self.route
        for name, value in self.path_values.items():
            path = path.replace("{" + name + "}", value)
        return path

    def event(self) -> dict[str, Any]:
        """The API Gateway HTTP API (v2) event for this request."""
        webhook = self.route.startswith("/webhooks/")
        event = load_event("webhook_auth_success.json" if webhook else "refreshes_get.json")
        event["headers"] = {
            name: value
            for name, value in event["headers"].items()
            if name not in ("authorization", "content-type", "content-length")
        } | {name.lower(): value for name, value in self.headers.items()}
        event["rawPath"] = event["requestContext"]["http"]["path"] = self.path
        event["requestContext"]["http"]["method"] = self.method
        event["routeKey"] = event["requestContext"]["routeKey"] = self.key
        event.pop("pathParameters", None)
        if self.path_values:
            event["pathParameters"] = dict(self.path_values)
        joined: dict[str, str] = {}
        for name, value in self.query:  # API Gateway joins a repeated key's values
            joined[name] = f"{joined[name]},{value}" if name in joined else value
        event.pop("queryStringParameters", None)
        if joined:
            event["queryStringParameters"] = joined
        event["rawQueryString"] = self.raw_query().decode()
        event.pop("body", None)
        event["isBase64Encoded"] = False
        if self.body:
            text = _utf8(self.body) if self.as_text else None
            if text is None:
                event["body"] = base64.b64encode(self.body).decode()
                event["isBase64Encoded"] = True
            else:
                event["body"] = text
        return event

    def raw_query(self) -> bytes:
        return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in self.query).encode()


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


# --- values -----------------------------------------------------------------------------

printable = st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))
identifiers = (
    st.text(printable, min_size=1, max_size=MAX_LENGTH)
    .map(str.strip)
    .filter(lambda value: identifier_problem(value) is None)
)
short_ids = st.text("abcdef0123456789", min_size=4, max_size=24)
bad_identifiers = st.one_of(
    st.just(""),
    st.just("*"),
    st.text(printable, min_size=MAX_LENGTH + 1, max_size=MAX_LENGTH + 40).filter(
        lambda value: len(value.strip()) > MAX_LENGTH
    ),
    st.builds(
        lambda head, bad, tail: head + bad + tail,
        short_ids,
        st.sampled_from(["\x00", "\n", "\x1b", "\u200b", "\u2028", "\ufeff", "\x7f"]),
        short_ids,
    ),
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8"), max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
extra_fields = st.dictionaries(
    st.text(st.characters(codec="utf-8"), max_size=12), json_values, max_size=3
)


def dumps(value: Any, pretty: bool = False) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2 if pretty else None).encode()


@st.composite
def junk_bodies(draw: st.DrawFn) -> bytes:
    """Bodies that are no strict JSON object, each for one reason."""
    kind = draw(st.sampled_from(JUNK_KINDS))
    if kind == "constant":
        constant = draw(st.sampled_from(["NaN", "Infinity", "-Infinity"]))
        return ('{"customer": "c", "n": ' + constant + "}").encode()
    if kind == "deep":
        levels = draw(st.integers(MAX_DEPTH + 1, 20_000))
        opener = draw(st.sampled_from(["[", '{"a":']))
        closer = "]" if opener == "[" else "}"
        return (opener * levels + "1" + closer * levels).encode()
    if kind == "long number":
        digits = draw(st.integers(MAX_NUMBER_CHARS + 1, 6_000))
        return ('{"n": ' + "9" * digits + "}").encode()
    if kind == "lone surrogate":
        code = draw(st.integers(0xD800, 0xDFFF))
        # In a key at the top: the refusal names the body (in a field, it names the field).
        return f'{{"customer": "c", "a\\u{code:04x}b": 1}}'.encode()
    if kind == "not utf-8":
        bad = draw(
            st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"])
        )
        return b'{"customer": "' + bad + b'"}'
    if kind == "not json":
        return draw(st.sampled_from([b"{oops", b'{"a": 1,}', b"{'a': 1}", b'{"a" 1}', b'"open']))
    if kind == "not an object":
        return dumps(draw(st.lists(json_values, max_size=3) | json_scalars))
    if kind == "duplicate key":
        return b'{"customer": "a", "customer": "b", "products": ["balance"]}'
    return draw(st.sampled_from([b"", b"   ", b"\n\t"]))  # empty


JUNK_KINDS = (
    "constant",
    "deep",
    "long number",
    "lone surrogate",
    "not utf-8",
    "not json",
    "not an object",
    "duplicate key",
    "empty",
)


# --- the webhook route ------------------------------------------------------------------


# (an Authorization header, whether it carries the dev token)
AUTHORIZATIONS = (
    (f"Bearer {WEBHOOK_TOKEN}", True),
    (f"bearer   {WEBHOOK_TOKEN} ", True),
    ("Bearer not-the-token", False),
    (f"Bearer {WEBHOOK_TOKEN}x", False),
    (f"Basic {WEBHOOK_TOKEN}", False),
    ("Bearer", False),
    ("", False),
    (None, False),
)


@st.composite
def webhook_cases(draw: st.DrawFn) -> Case:
    # Most cases authenticated: behind the token is where the body is read.
    authorization, authenticated = draw(
        st.sampled_from(AUTHORIZATIONS[:2]) | st.sampled_from(AUTHORIZATIONS)
    )
    headers = {} if authorization is None else {"authorization": authorization}
    content_type = draw(st.sampled_from(JSON_TYPES) | st.sampled_from((*OTHER_TYPES, None)))
    if content_type:
        headers["content-type"] = content_type
    kind = draw(st.sampled_from(["valid", "valid", "junk", "bytes"]))
    if kind == "valid":
        fixture = load_event(draw(st.sampled_from(WEBHOOK_FIXTURES)))
        raw = fixture["body"]
        payload = json.loads(base64.b64decode(raw) if fixture["isBase64Encoded"] else raw)
        body = dumps(payload | draw(extra_fields), pretty=draw(st.booleans()))
    elif kind == "junk":
        body = draw(junk_bodies())
    else:
        body = draw(st.binary(max_size=200))
    case = Case("POST", "/webhooks/okra", headers=headers, body=body, as_text=draw(st.booleans()))
    if not authenticated:
        return replace(case, expect="authorization")
    if kind == "bytes":
        return replace(case, expect=UNKNOWN)
    if content_type not in JSON_TYPES:
        return replace(case, expect="content-type")
    return replace(case, expect=None if kind == "valid" else "body")


# --- Mono's webhook route -------------------------------------------------------------

MONO_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mono"
# (a mono-webhook-secret header, whether it is the stack's)
MONO_SECRETS = (
    (MONO_WEBHOOK_SECRET, True),
    (MONO_WEBHOOK_SECRET + "x", False),
    (MONO_WEBHOOK_SECRET[:-1], False),
    (MONO_WEBHOOK_SECRET.upper(), False),
    ("", False),
    (None, False),
)


@st.composite
def mono_webhook_cases(draw: st.DrawFn) -> Case:
    secret, authenticated = draw(st.sampled_from(MONO_SECRETS[:1]) | st.sampled_from(MONO_SECRETS))
    headers = {} if secret is None else {"mono-webhook-secret": secret}
    content_type = draw(st.sampled_from(JSON_TYPES) | st.sampled_from((*OTHER_TYPES, None)))
    if content_type:
        headers["content-type"] = content_type
    kind = draw(st.sampled_from(["valid", "valid", "junk", "bytes"]))
    if kind == "valid":
        names = sorted(p.name for p in MONO_FIXTURES.glob("webhook_*.json"))
        payload = json.loads((MONO_FIXTURES / draw(st.sampled_from(names))).read_text())
        body = dumps(payload | draw(extra_fields), pretty=draw(st.booleans()))
    elif kind == "junk":
        body = draw(junk_bodies())
    else:
        body = draw(st.binary(max_size=200))
    case = Case("POST", "/webhooks/mono", headers=headers, body=body, as_text=draw(st.booleans()))
    if not authenticated:
        return replace(case, expect="mono-webhook-secret")
    if kind == "bytes":
        return replace(case, expect=UNKNOWN)
    if content_type not in JSON_TYPES:
        return replace(case, expect="content-type")
    return replace(case, expect=None if kind == "valid" else "body")


# --- operator routes --------------------------------------------------------------------

hooks = st.sampled_from(
    [
        "https://hooks.example.com/okra",
        "https://hooks.example.com/a?b=c",
        "https://v6.example.com/x",
    ]
)
bad_hooks = st.sampled_from(
    [
        "http://hooks.example.com/okra",
        "https://internal.example.com/x",
        "https://metadata.example.com/",
        "https://sneaky.example.com/x",
        "https://127.0.0.1/x",
        "https://[::ffff:10.0.0.1]/x",
        "https://hooks.example.com:0/x",
        "https://hooks.example.com:99999/x",
        "https://user:pw@hooks.example.com/x",
        "https://hooks.example.com/a b",
        "https://nowhere.example.com/x",
        "not a url",
        "https://hooks.example.com/" + "x" * 2100,
        "",
    ]
)
product_lists = st.lists(st.sampled_from(PRODUCTS), min_size=1, max_size=3)


@st.composite
def subscription_bodies(draw: st.DrawFn) -> tuple[dict[str, Any], str | None]:
    """(a body, the field its one defect is in, or None)."""
    body: dict[str, Any] = {"customer": draw(identifiers), "products": draw(product_lists)}
    for name, values in (("bank", identifiers), ("interval", st.sampled_from(INTERVALS))):
        if draw(st.booleans()):
            body[name] = draw(values)
    if draw(st.booleans()):
        body["webhook_url"] = draw(hooks)
    if draw(st.booleans()):
        body["webhook_payload"] = draw(st.sampled_from(["full", "thin"]))
    if draw(st.booleans()):
        body["webhook_rate_per_second"] = draw(st.integers(1, MAX_WEBHOOK_RATE_PER_SECOND))
    defect = draw(
        st.none()
        | st.sampled_from(
            [
                "customer",
                "bank",
                "products",
                "interval",
                "webhook_url",
                "webhook_payload",
                "webhook_rate_per_second",
                "extra",
            ]
        )
    )
    if defect in ("customer", "bank"):
        body[defect] = draw(bad_identifiers | st.integers() | st.none())
        if defect == "bank" and body["bank"] is None:
            return body, None  # null is no bank: every bank
    elif defect == "products":
        body["products"] = draw(
            st.sampled_from([[], ["identity"], "balance", [None], ["balance", 7]])
        )
    elif defect == "interval":
        body["interval"] = draw(st.sampled_from(["hourly", "", "ONE_HOUR", None, 5]))
    elif defect == "webhook_url":
        body["webhook_url"] = draw(bad_hooks)
    elif defect == "webhook_payload":
        body["webhook_payload"] = draw(st.sampled_from(["Thin", "", "none", None, 1]))
    elif defect == "webhook_rate_per_second":
        body["webhook_rate_per_second"] = draw(
            st.sampled_from([0, -1, MAX_WEBHOOK_RATE_PER_SECOND + 1, "5", 1.5, True])
        )
    elif defect == "extra":
        defect = draw(st.sampled_from(["colour", "Customer", "products ", "id"]))
        body[defect] = 1
    return body, defect


@st.composite
def refresh_bodies(draw: st.DrawFn) -> tuple[dict[str, Any], str | None]:
    body: dict[str, Any] = (
        {"account_id": draw(identifiers)}
        if draw(st.booleans())
        else {"customer": draw(identifiers)}
        | ({"bank": draw(identifiers)} if draw(st.booleans()) else {})
    )
    if draw(st.booleans()):
        body["products"] = draw(product_lists)
    defect = draw(st.none() | st.sampled_from(["target", "products", "identifier", "extra"]))
    if defect == "target":  # both targets, neither, or a bank without its customer
        wrong = draw(
            st.sampled_from(
                [
                    {"account_id": "a", "customer": "c"},
                    {"account_id": "a", "bank": "b"},
                    {},
                    {"bank": "b"},
                ]
            )
        )
        return wrong | {k: v for k, v in body.items() if k == "products"}, "body"
    if defect == "products":
        body["products"] = draw(st.sampled_from([[], ["identity"], "balance"]))
        return body, "products"
    if defect == "identifier":
        name = next(iter(body))
        body[name] = draw(bad_identifiers | st.integers())
        return body, name
    if defect == "extra":
        name = draw(st.sampled_from(["product", "priority", "refresh_id"]))
        body[name] = ["balance"]
        return body, name
    return body, None


@st.composite
def sweep_bodies(draw: st.DrawFn) -> tuple[bytes | None, str | None]:
    choice = draw(st.sampled_from(["none", "empty", "hours", "bad hours", "extra"]))
    if choice == "none":
        return None, None
    if choice == "empty":
        return b"{}", None
    if choice == "hours":
        return dumps({"stale_after_hours": draw(st.integers(0, MAX_STALE_HOURS))}), None
    if choice == "bad hours":
        bad = draw(
            st.sampled_from([-1, MAX_STALE_HOURS + 1, True, "1", 1.5, None, [1]])
            | st.integers(min_value=-(10**90), max_value=-1)
            | st.integers(min_value=MAX_STALE_HOURS + 1, max_value=10**90)
        )
        return dumps({"stale_after_hours": bad}), "stale_after_hours"
    return dumps({"stale_after_hours": 1, "stale": 1}), "stale"


def delivery_token(draw: st.DrawFn, subscription_id: str) -> str:
    moment = draw(good_times)
    delivery_id = draw(short_ids)
    return encode_token(
        {
            "pk": {"S": f"SUBSCRIPTION#{subscription_id}"},
            "sk": {"S": f"DELIVERY#msg_{delivery_id}"},
            "gsi1pk": {"S": f"DELIVERIES#{subscription_id}"},
            "gsi1sk": {"S": f"{moment}#msg_{delivery_id}"},
        }
    )


@st.composite
def recover_bodies(draw: st.DrawFn) -> tuple[bytes | None, str | None]:
    """POST /subscriptions/{id}/recover: ``since``, perhaps ``until``, perhaps one defect."""
    if draw(st.integers(0, 5)) == 0:
        return draw(junk_bodies()), "body"
    since = draw(good_times)
    body: dict[str, Any] = {"since": since}
    if draw(st.booleans()):
        body["until"] = "2100-01-02T00:00:00Z"
    defect = draw(st.none() | st.sampled_from(["since", "until", "missing", "extra"]))
    if defect == "since":
        body["since"] = draw(bad_times | st.integers() | st.none())
    elif defect == "until":
        body["until"] = draw(st.sampled_from([since, "1999-01-01T00:00:00Z", "later", 7]))
    elif defect == "missing":
        del body["since"]
        defect = "since"
    elif defect == "extra":
        defect = draw(st.sampled_from(["from", "Since", "status"]))
        body[defect] = "x"
    return dumps(body), defect


@st.composite
def rotate_bodies(draw: st.DrawFn) -> tuple[bytes | None, str | None]:
    choice = draw(st.sampled_from(["none", "empty", "hours", "bad hours", "extra"]))
    if choice == "none":
        return None, None
    if choice == "empty":
        return b"{}", None
    if choice == "hours":
        return dumps({"overlap_hours": draw(st.integers(0, MAX_OVERLAP_HOURS))}), None
    if choice == "bad hours":
        bad = draw(st.sampled_from([-1, MAX_OVERLAP_HOURS + 1, True, "24", 1.5, None, [1]]))
        return dumps({"overlap_hours": bad}), "overlap_hours"
    return dumps({"overlap_hours": 1, "overlap": 1}), "overlap"


def run_token(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes(timezones=st.just(UTC))).isoformat()
    refresh_id = draw(short_ids)
    return encode_token(
        {
            "pk": {"S": f"REFRESH#rf_{refresh_id}"},
            "sk": {"S": "RUN"},
            "gsi2pk": {"S": "RUNS"},
            "gsi2sk": {"S": f"{moment}#rf_{refresh_id}"},
        }
    )


bad_tokens = st.one_of(
    st.sampled_from(["garbage!", "e30", "bm90IGpzb24", "x" * (MAX_TOKEN_CHARS + 1)]),
    st.builds(
        lambda text: base64.urlsafe_b64encode(text.encode()).decode(),
        st.sampled_from(
            [
                "[" * 2000,
                '{"pk": {"S": "\\udfff"}, "sk": {"S": "x"}}',
                '{"pk": ' + "1" * 900 + "}",
                '{"pk": NaN, "sk": 1}',
                "[1]",
            ]
        ),
    ),
)
bad_limits = st.sampled_from(["0", "101", "-1", "", "1.5", "²", "٣", "1e2", " 5", "0x10", "9" * 40])
good_times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.isoformat().replace("+00:00", "Z"))
bad_times = st.sampled_from(
    ["yesterday", "2026-13-01", "2026-02-29", "2026-12-01T10:00:00", "2026-12-01 10:00Z", ""]
)


@st.composite
def list_queries(
    draw: st.DrawFn, route: str, subscription_id: str = ""
) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """A GET list's query: valid parameters, and perhaps one defect."""
    pairs: dict[str, str] = {}
    if draw(st.booleans()):
        pairs["limit"] = str(draw(st.integers(1, 100)))
    if route.endswith("/deliveries"):
        if draw(st.booleans()):
            pairs["status"] = draw(st.sampled_from(STATUSES))
        if draw(st.booleans()):
            pairs["since"] = draw(good_times)
        if draw(st.booleans()):
            pairs["next_token"] = delivery_token(draw, subscription_id)
    elif route == "/refreshes":
        if draw(st.booleans()):
            pairs["kind"] = draw(st.sampled_from(KINDS))
        if draw(st.booleans()):
            pairs["since"] = draw(good_times)
        if draw(st.booleans()):
            pairs["next_token"] = run_token(draw)
    else:
        if draw(st.booleans()):
            pairs["customer"] = draw(identifiers)
        if draw(st.booleans()):
            pairs["webhook_state"] = draw(st.sampled_from(WEBHOOK_STATES))
    defect = draw(st.none() | st.sampled_from(["limit", "value", "token", "unknown", "repeat"]))
    if defect == "limit":
        pairs["limit"] = draw(bad_limits)
    elif defect == "value" and route.endswith("/deliveries"):
        defect = draw(st.sampled_from(["status", "since"]))
        bad = st.sampled_from(["lost", "Delivered", "", "pending,stopped"])
        pairs[defect] = draw(bad if defect == "status" else bad_times)
    elif defect == "value" and route == "/refreshes":
        defect = draw(st.sampled_from(["kind", "since"]))
        bad = (
            st.sampled_from(["bogus", "Sweep", "", "sweep,pushed"])
            if defect == "kind"
            else bad_times
        )
        pairs[defect] = draw(bad)
    elif defect == "value":
        defect = draw(st.sampled_from(["customer", "webhook_state"]))
        pairs[defect] = draw(
            bad_identifiers
            if defect == "customer"
            else st.sampled_from(["broken", "Failing", "", "failing,disabled"])
        )
    elif defect == "token":
        defect = "next_token"
        pairs["next_token"] = draw(bad_tokens)
    query = list(pairs.items())
    if defect == "unknown":
        defect = draw(st.sampled_from(["colour", "Limit", "next-token", "page"]))
        query.append((defect, "1"))
    elif defect == "repeat":
        defect = "limit"
        query += [("limit", "5"), ("limit", "5")]
    return tuple(draw(st.permutations(query))), defect


path_junk = st.one_of(
    st.text(printable, min_size=129, max_size=200),
    st.sampled_from(
        [
            "a\x00b",
            "sub_\n",
            "%zz",
            "%00",
            "a b",
            "a?b",
            "a#b",
            "*",
            "sub_€",
            "\u202e",
            "a%2Fb",
            "é",
        ]
    ),
    st.builds(
        lambda head, char: head + char,
        short_ids,
        st.characters(codec="utf-8").filter(lambda char: not ID.fullmatch(char)),
    ),
)


@st.composite
def path_values(draw: st.DrawFn, name: str, seeded: dict[str, str]) -> tuple[str, bool]:
    """(a value for the path parameter ``name``, whether it is a valid id)."""
    prefix = {
        "subscription_id": "sub_",
        "refresh_id": "rf_",
        "sweep_id": "sw_",
        "delivery_id": "msg_",
        "account_id": "acc_",
    }[name]
    choice = draw(st.sampled_from(["seeded", "unknown", "junk"]))
    if choice == "seeded":
        return seeded[name], True
    if choice == "unknown":
        return prefix + draw(short_ids), True
    value = draw(path_junk)
    return value, False


OPERATOR_ROUTES = (
    "POST /refreshes",
    "GET /refreshes",
    "GET /refreshes/{refresh_id}",
    "POST /subscriptions",
    "GET /subscriptions",
    "GET /subscriptions/{subscription_id}",
    "DELETE /subscriptions/{subscription_id}",
    "POST /subscriptions/{subscription_id}/pause",
    "POST /subscriptions/{subscription_id}/resume",
    "POST /sweeps",
    "GET /sweeps/{sweep_id}",
    "GET /subscriptions/{subscription_id}/deliveries",
    "POST /subscriptions/{subscription_id}/recover",
    "POST /subscriptions/{subscription_id}/rotate-secret",
    "GET /deliveries/{delivery_id}",
    "POST /deliveries/{delivery_id}/retry",
    "POST /providers/mono/accounts",
    "POST /providers/mono/accounts/{account_id}/reauthorisation",
)
# The read API (its own function); cases in tests/fuzz/read_cases.py.
READ_ROUTES = (
    "GET /customers/{customer}/accounts",
    "GET /accounts/{account_id}",
    "GET /accounts/{account_id}/balances",
    "GET /accounts/{account_id}/transactions",
    "GET /accounts/{account_id}/transactions/sync",
    "GET /customers/{customer}/transactions/sync",
)
ROUTES = ("POST /webhooks/okra", "POST /webhooks/mono", *OPERATOR_ROUTES, *READ_ROUTES)
STORING_ROUTES = ("POST /refreshes", "POST /subscriptions", "POST /sweeps")
IDEMPOTENCY_KEYS = ("k-1", "k-2", "5f0c6a52-7a51-4c1f-9d3e-0b7f4f3e2a11")
KEYED_ROUTES = (
    "POST /refreshes",
    "POST /subscriptions/{subscription_id}/recover",
    "POST /deliveries/{delivery_id}/retry",
)


@st.composite
def operator_cases(draw: st.DrawFn, seeded: dict[str, str]) -> Case:
    """A request to an operator route; its defects are checked in the order the
    route reads its parts: path and query, then Idempotency-Key, then body."""
    # The routes that store what they are sent, twice as often as the others.
    key = draw(st.sampled_from(STORING_ROUTES) | st.sampled_from(OPERATOR_ROUTES))
    method, route = key.split(" ", 1)
    headers: dict[str, str] = {}
    content_type = draw(st.sampled_from((*JSON_TYPES, *OTHER_TYPES, None)))
    if content_type:
        headers["content-type"] = content_type
    first: str | None = None  # a path or query defect
    values: dict[str, str] = {}
    for name in ("subscription_id", "refresh_id", "sweep_id", "delivery_id", "account_id"):
        if "{" + name + "}" in route:
            values[name], valid = draw(path_values(name, seeded))
            first = None if valid else name
    query: tuple[tuple[str, str], ...] = ()
    if method == "GET" and route in ("/refreshes", "/subscriptions"):
        query, first = draw(list_queries(route))
    elif method == "GET" and route.endswith("/deliveries"):
        query, query_defect = draw(list_queries(route, values["subscription_id"]))
        first = first or query_defect
    elif first is None and draw(st.integers(0, 9)) == 0:
        query, first = (("colour", "blue"),), "colour"
    key_defect = None
    if key in KEYED_ROUTES:
        choice = draw(st.sampled_from(["none", "key", "key", "bad"]))
        if choice == "key":
            headers["idempotency-key"] = draw(st.sampled_from(IDEMPOTENCY_KEYS))
        elif choice == "bad":
            headers["idempotency-key"] = draw(
                st.sampled_from(["", "a b", "k\x01", "ключ", "x" * 300])
            )
            key_defect = "idempotency-key"
    body, body_defect = draw(operator_bodies(key))
    expect = first or key_defect or body_defect
    return Case(method, route, values, query, headers, body, expect, draw(st.booleans()))


@st.composite
def operator_bodies(draw: st.DrawFn, key: str) -> tuple[bytes | None, str | None]:
    """(the body, what its defect is: a field, "body", UNKNOWN, or None)."""
    if key in ("POST /subscriptions", "POST /refreshes"):
        shape = draw(st.just("model") | st.sampled_from(["model", "junk", "bytes"]))
        if shape == "junk":
            return draw(junk_bodies()), "body"
        if shape == "bytes":
            return draw(st.binary(max_size=100)), UNKNOWN
        made, defect = draw(
            subscription_bodies() if key == "POST /subscriptions" else refresh_bodies()
        )
        return dumps(made, pretty=draw(st.booleans())), defect
    if key == "POST /sweeps":
        if draw(st.integers(0, 3)) == 0:
            return draw(junk_bodies().filter(lambda raw: bool(raw.strip()))), "body"
        return draw(sweep_bodies())
    if key == "POST /subscriptions/{subscription_id}/recover":
        return draw(recover_bodies())
    if key == "POST /subscriptions/{subscription_id}/rotate-secret":
        if draw(st.integers(0, 3)) == 0:
            return draw(junk_bodies().filter(lambda raw: bool(raw.strip()))), "body"
        return draw(rotate_bodies())
    if key.startswith("POST /providers/mono/accounts"):
        if draw(st.integers(0, 4)) == 0:
            return draw(junk_bodies()), "body"
        made, defect = draw(link_bodies() if key.endswith("/accounts") else reauth_bodies())
        return dumps(made), defect
    if key == "POST /deliveries/{delivery_id}/retry" and draw(st.integers(0, 3)) == 0:
        return dumps({"delivery_id": "msg_1"}), "delivery_id"
    return None, None  # the other routes read no body


@st.composite
def link_bodies(draw: st.DrawFn) -> tuple[dict[str, Any], str | None]:
    """POST /providers/mono/accounts: (the body, its defect). Not exactly one of code
    and account_id is valid JSON Schema, refused by the route (422), so no defect."""
    body: dict[str, Any] = {"customer": draw(identifiers)}
    given = draw(st.sampled_from(["code", "account_id", "both", "neither"]))
    if given in ("code", "both"):
        body["code"] = "code_" + draw(short_ids)
    if given in ("account_id", "both"):
        body["account_id"] = draw(st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True))
    defect = draw(st.sampled_from([None, None, "customer", "code", "account_id", "unknown"]))
    if defect == "customer":
        body["customer"] = draw(bad_identifiers)
    elif defect == "account_id":
        body["account_id"] = draw(st.sampled_from(["", "{", "a b", "é", "a/b", "x" * 129]))
    elif defect == "code":
        body["code"] = draw(st.sampled_from(["", "a b", "code\n", "é", "x" * 257]))
    elif defect == "unknown":
        defect = "colour"
        body[defect] = "blue"
    return body, defect


@st.composite
def reauth_bodies(draw: st.DrawFn) -> tuple[dict[str, Any], str | None]:
    """POST /providers/mono/accounts/{account_id}/reauthorisation: (the body, its defect)."""
    body: dict[str, Any] = {"redirect_url": "https://shop.example/" + draw(short_ids)}
    if draw(st.booleans()):
        body["reference"] = draw(identifiers)
    defect = draw(st.sampled_from([None, None, "redirect_url", "reference", "unknown"]))
    if defect == "redirect_url":
        body["redirect_url"] = draw(
            st.sampled_from(["", "http://shop.example/", "https://", "https://a b", 1, None])
        )
    elif defect == "reference":
        body["reference"] = draw(bad_identifiers)
    elif defect == "unknown":
        defect = "colour"
        body[defect] = "blue"
    return body, defect
