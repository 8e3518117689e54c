"""The offline stack's HTTP layer (devstack/http_api.py), in-process: it hands every
request to the handlers as API Gateway would, whatever the bytes, and the answers keep
the properties they have behind API Gateway."""

import base64
from typing import Any
from urllib.parse import unquote_to_bytes

from hypothesis import event, given
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from devstack.http_api import HttpApi, Route
from tests.fuzz.cases import UNKNOWN, Case, operator_cases, webhook_cases
from tests.fuzz.checks import check, check_stored_once
from tests.fuzz.harness import Answer, FuzzStack, encoded_path, fuzz_settings

GATEWAY_NOT_FOUND = {"message": "Not Found"}
content_types = st.sampled_from(
    [
        "application/json",
        "Application/JSON; charset=utf-8",
        "text/plain",
        "application/octet-stream",
        "",
    ]
)
# Query strings as clients send them: escaped, or with raw bytes (not UTF-8 among them).
raw_queries = st.one_of(
    st.binary(max_size=40),
    st.lists(st.tuples(st.text(max_size=6), st.text(max_size=6)), max_size=4).map(
        lambda pairs: "&".join(f"{k}={v}" for k, v in pairs).encode("utf-8", "surrogatepass")
    ),
)


@fuzz_settings(200)
@given(
    body=st.binary(max_size=200)
    | st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")),
    content_type=content_types,
    query=raw_queries,
    value=st.text(st.characters(codec="utf-8", exclude_characters="/"), min_size=1, max_size=20),
)
def test_every_request_becomes_the_event_api_gateway_would_send(
    body: bytes, content_type: str, query: bytes, value: str
) -> None:
    seen: list[dict[str, Any]] = []

    def record(event: dict[str, Any], _: Any) -> dict[str, Any]:
        seen.append(event)
        return {"statusCode": 204}

    route = Route("POST", "/things/{thing_id}", "Recorder", iam=True)
    app = HttpApi([route], {"Recorder": record}, lambda: None)
    headers = {"content-type": content_type} if content_type else {}
    environ = EnvironBuilder(
        path=encoded_path(route.path, {"thing_id": value}),
        method="POST",
        headers=list(headers.items()),
        data=body,
    ).get_environ()
    environ["QUERY_STRING"] = query.decode("latin-1")  # as a WSGI server hands it over
    assert app.respond(Request(environ)).status_code == 204

    (event,) = seen
    sent = event.get("body", "")
    arrived = base64.b64decode(sent) if event["isBase64Encoded"] else sent.encode()
    assert arrived == body
    text_type = content_type.lower().startswith(("application/json", "text/"))
    assert event["isBase64Encoded"] == (bool(body) and not (text_type and _is_utf8(body)))
    assert event["rawQueryString"].isascii()
    assert unquote_to_bytes(event["rawQueryString"]) == unquote_to_bytes(query)
    assert event["pathParameters"] == {"thing_id": value}


@fuzz_settings(40)
@given(case=webhook_cases())
def test_the_webhook_route_over_http(fuzz_stack: FuzzStack, case: Case) -> None:
    run(fuzz_stack, case)


@fuzz_settings(120)
@given(data=st.data())
def test_the_operator_routes_over_http(fuzz_stack: FuzzStack, data: st.DataObject) -> None:
    run(fuzz_stack, data.draw(operator_cases(fuzz_stack.seeded), label="case"))


def run(fuzz: FuzzStack, case: Case) -> None:
    def send() -> Answer:
        return fuzz.through_http(
            case.method,
            encoded_path(case.route, case.path_values),
            case.raw_query(),
            case.headers,
            case.body or b"",
        )

    before = fuzz.snapshot()
    answer = send()
    if answer.body == GATEWAY_NOT_FOUND:
        # Only a value holding "/" leaves the route: API Gateway's own 404.
        assert any("/" in value for value in case.path_values.values()), case
        assert case.expect not in (None, UNKNOWN)
        assert fuzz.snapshot() == before
        return
    event(f"{case.key}: {answer.status} ({'valid' if case.expect is None else case.expect})")
    check(fuzz, case, answer, before)
    check_stored_once(fuzz, case, answer, send)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
