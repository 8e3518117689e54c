"""The template's HTTP API, served on loopback and dispatched to the real handlers.

Routes come from the functions' ``HttpApi`` events in template.yaml. Each
request becomes an API Gateway HTTP API (payload v2) event like the ones in
``events/``. Routes that are IAM-authorised in AWS are open here, with a
local caller in the authorizer context: the offline stack listens on
loopback only and does not verify SigV4 signatures.
"""

import base64
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote

from werkzeug.exceptions import ClientDisconnected
from werkzeug.wrappers import Request, Response

from banksync.api.bodies import MAX_BODY_BYTES
from banksync.api_errors import ApiError
from devstack.template import StackTemplate

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
LOCAL_CALLER = "arn:aws:iam::123456789012:user/local-operator"
TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded")
# What a raw query string keeps unescaped: visible ASCII ("%" escapes included).
QUERY_SAFE = "".join(chr(code) for code in range(0x21, 0x7F))
READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    iam: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.method:
            return None
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        found = re.fullmatch(pattern, path)
        return found.groupdict() if found else None


def routes_of(template: StackTemplate) -> list[Route]:
    default_iam = any(
        r["Properties"].get("Auth", {}).get("DefaultAuthorizer") == "AWS_IAM"
        for _, r in template.resources("AWS::Serverless::HttpApi")
    )
    found = []
    for logical_id, resource in template.resources("AWS::Serverless::Function"):
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            props = event["Properties"]
            authorizer = props.get("Auth", {}).get("Authorizer")
            iam = authorizer == "AWS_IAM" or (authorizer is None and default_iam)
            found.append(Route(props["Method"].upper(), props["Path"], logical_id, iam))
    return found


class HttpApi:
    """A WSGI application: request → v2 event → handler → response."""

    def __init__(
        self,
        routes: Iterable[Route],
        handlers: dict[str, Handler],
        context: Callable[[], Any],
        on_request: Callable[[str, int], None] | None = None,
    ) -> None:
        self.routes = list(routes)
        self.handlers = handlers
        self.context = context
        self.on_request = on_request

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.respond(request)
        if self.on_request:
            self.on_request(f"{request.method} {request.path}", response.status_code)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        for route in self.routes:
            parameters = route.match(request.method, request.path)
            if parameters is not None:
                try:
                    body = _body(request)
                except ApiError as refusal:
                    return _refused(refusal)
                event = self.event(request, route, parameters, body)
                return self.answer(self.handlers[route.function](event, self.context()))
        return Response('{"message":"Not Found"}', status=404, content_type="application/json")

    @staticmethod
    def event(
        request: Request, route: Route, parameters: dict[str, str], body: bytes
    ) -> dict[str, Any]:
        content_type = request.headers.get("content-type", "")
        text = _utf8(body) if content_type.lower().startswith(TEXT_TYPES) else None
        now = time.time()
        context: dict[str, Any] = {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": request.host,
            "domainPrefix": "local",
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.remote_addr or "127.0.0.1",
                "userAgent": request.headers.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex,
            "routeKey": route.key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        }
        if route.iam:
            context["authorizer"] = {
                "iam": {
                    "accessKey": "LOCAL",
                    "accountId": "123456789012",
                    "callerId": "local-operator",
                    "userArn": LOCAL_CALLER,
                    "userId": "local-operator",
                    "cognitoIdentity": None,
                    "principalOrgId": None,
                }
            }
        # Escaped, not decoded: a client may send bytes that are not UTF-8 unescaped.
        raw_query = quote(request.query_string, safe=QUERY_SAFE)
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route.key,
            "rawPath": request.path,
            "rawQueryString": raw_query,
            "headers": {name.lower(): value for name, value in request.headers.items()},
            "requestContext": context,
            "isBase64Encoded": bool(body) and text is None,
        }
        # Not werkzeug's request.args: it fails on bytes that are not UTF-8. Those
        # become U+FFFD here; a repeated key's values are joined, as API Gateway does.
        query: dict[str, list[str]] = {}
        for name, value in parse_qsl(raw_query, keep_blank_values=True, errors="replace"):
            query.setdefault(name, []).append(value)
        if query:
            event["queryStringParameters"] = {k: ",".join(v) for k, v in query.items()}
        if parameters:
            event["pathParameters"] = parameters
        if body:
            event["body"] = base64.b64encode(body).decode() if text is None else text
        return event

    @staticmethod
    def answer(result: dict[str, Any]) -> Response:
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        response = Response(data, status=int(result.get("statusCode", 200)))
        for name, value in (result.get("headers") or {}).items():
            response.headers[name] = value
        for name, values in (result.get("multiValueHeaders") or {}).items():
            for value in values:
                response.headers.add(name, value)
        return response


def _body(request: Request) -> bytes:
    """The body, read no further than any handler would take it: a larger one is
    refused by its Content-Length before it is read (or, sent without one, as soon
    as it runs past the limit), and one that ends before its Content-Length is a
    client error, not a server one."""
    declared = request.content_length
    if declared is not None and declared > MAX_BODY_BYTES:
        raise _too_large(f"Content-Length {declared} is over the limit")
    body = bytearray()
    try:
        while len(body) <= MAX_BODY_BYTES:
            chunk = request.stream.read(min(READ_CHUNK, MAX_BODY_BYTES + 1 - len(body)))
            if not chunk:
                break
            body += chunk
    except ClientDisconnected:
        raise ApiError(
            400,
            "invalid_body",
            "the body ended before its Content-Length",
            {"body": f"Content-Length is {declared}; {len(body)} bytes arrived"},
        ) from None
    if len(body) > MAX_BODY_BYTES:
        raise _too_large(f"more than {MAX_BODY_BYTES} bytes")
    return bytes(body)


def _too_large(why: str) -> ApiError:
    return ApiError(
        413, "payload_too_large", f"body must be at most {MAX_BODY_BYTES} bytes", {"body": why}
    )


def _refused(refusal: ApiError) -> Response:
    # The connection may still hold what was not read: it is not kept for another request.
    return Response(
        json.dumps(refusal.body()),
        status=refusal.status,
        content_type="application/json",
        headers={"Connection": "close"},
    )


def _utf8(body: bytes) -> str | None:
    """The body as text, if it is UTF-8: what is not cannot travel in a JSON string
    and goes base64-encoded, as API Gateway hands over any body it does not take
    for text."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None
