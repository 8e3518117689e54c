"""The offline HTTP layer reads a request's body as API Gateway would hand it over: a body
shorter than its Content-Length is the client's error (400), and one over the limit is
refused (413) before it is read."""

import base64
import io
import json
from typing import Any

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from banksync.api.bodies import MAX_BODY_BYTES
from devstack.http_api import HttpApi, Route

ROUTE = Route("POST", "/things", "Recorder", iam=True)


class Unreadable(io.RawIOBase):
    """A body that must not be read: the test fails if anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("the body was read")


def respond(stream: Any, headers: dict[str, str]) -> tuple[Any, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []

    def record(event: dict[str, Any], _: Any) -> dict[str, Any]:
        seen.append(event)
        return {"statusCode": 204}

    app = HttpApi([ROUTE], {"Recorder": record}, lambda: None)
    environ = EnvironBuilder(
        path="/things", method="POST", headers=list(headers.items())
    ).get_environ()
    environ["wsgi.input"] = stream
    if "Content-Length" in headers:
        environ["CONTENT_LENGTH"] = headers["Content-Length"]
    else:
        environ.pop("CONTENT_LENGTH", None)
        environ["wsgi.input_terminated"] = True  # as a server hands over a chunked body
    return app.respond(Request(environ)), seen


def test_a_body_shorter_than_its_content_length_is_a_400_naming_the_body() -> None:
    response, seen = respond(io.BytesIO(b'{"a": 1}'), {"Content-Length": "500"})
    assert response.status_code == 400
    assert response.content_type == "application/json"
    error = json.loads(response.get_data())["error"]
    assert set(error["fields"]) == {"body"}, error
    assert not seen, "no handler is called with half a body"


def test_a_content_length_over_the_limit_is_refused_before_the_body_is_read() -> None:
    length = str(MAX_BODY_BYTES + 1)
    response, seen = respond(io.BufferedReader(Unreadable()), {"Content-Length": length})
    assert response.status_code == 413
    assert json.loads(response.get_data())["error"]["code"] == "payload_too_large"
    assert response.headers["Connection"] == "close"
    assert not seen


def test_a_body_without_content_length_is_read_no_further_than_the_limit() -> None:
    class Endless(io.RawIOBase):
        served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            assert self.served <= 2 * MAX_BODY_BYTES, "read on past the limit"
            buffer[: len(buffer)] = b"x" * len(buffer)
            self.served += len(buffer)
            return len(buffer)

    response, seen = respond(io.BufferedReader(Endless()), {})
    assert response.status_code == 413
    assert not seen


def test_a_body_at_the_limit_reaches_the_handler_whole() -> None:
    body = b"x" * MAX_BODY_BYTES
    response, seen = respond(io.BytesIO(body), {"Content-Length": str(len(body))})
    assert response.status_code == 204
    assert base64.b64decode(seen[0]["body"]) == body
