"""The template's HTTP API, served on loopback and dispatched to the real handlers.

Routes come from the functions' ``HttpApi`` events in template.yaml. Each
request becomes an API Gateway HTTP API (payload v2) event like the ones in
``events/``. Routes that are IAM-authorised in AWS are open here, with a
local caller in the authorizer context: the offline stack listens on
loopback only and does not verify SigV4 signatures.
"""

import base64
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from devstack.template import StackTemplate

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
LOCAL_CALLER = "arn:aws:iam::123456789012:user/local-operator"
TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded")


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
                event = self.event(request, route, parameters)
                return self.answer(self.handlers[route.function](event, self.context()))
        return Response('{"message":"Not Found"}', status=404, content_type="application/json")

    @staticmethod
    def event(request: Request, route: Route, parameters: dict[str, str]) -> dict[str, Any]:
        body = request.get_data()
        content_type = request.headers.get("content-type", "")
        textual = not body or content_type.startswith(TEXT_TYPES)
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
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route.key,
            "rawPath": request.path,
            "rawQueryString": request.query_string.decode(),
            "headers": {name.lower(): value for name, value in request.headers.items()},
            "requestContext": context,
            "isBase64Encoded": not textual,
        }
        if request.args:
            event["queryStringParameters"] = {
                k: ",".join(request.args.getlist(k)) for k in request.args
            }
        if parameters:
            event["pathParameters"] = parameters
        if body:
            event["body"] = body.decode() if textual else base64.b64encode(body).decode()
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
