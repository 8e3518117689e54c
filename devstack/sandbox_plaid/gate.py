"""What every call meets first: a JSON body, the client's keys (in the body or in
``PLAID-CLIENT-ID``/``PLAID-SECRET``), the state brought up to the clock, any fault
switched on, then the endpoint's rate limits; and the record of the call. Every
error, from here or a route, answers as Plaid's error object."""

import threading
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from devstack.sandbox_plaid.errors import PlaidApiError
from devstack.sandbox_plaid.world import plaid_id

if TYPE_CHECKING:
    from devstack.sandbox_plaid.app import PlaidSandbox

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Call:
    path: str
    status: int
    at: float  # the sandbox clock when the call arrived
    item_id: str | None
    error_code: str | None


def body() -> dict[str, Any]:
    return g.body  # type: ignore[no-any-return]


def answer(payload: dict[str, Any]) -> Response:
    return jsonify({**payload, "request_id": g.request_id})


class RateLimiter:
    def __init__(self) -> None:
        self._arrivals: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, key: tuple[str, str], limit: int | None, now: float) -> bool:
        if limit is None:
            return True
        with self._lock:
            arrivals = self._arrivals.setdefault(key, deque())
            while arrivals and arrivals[0] <= now - WINDOW_SECONDS:
                arrivals.popleft()
            if len(arrivals) >= limit:
                return False
            arrivals.append(now)
            return True


def install(app: Flask, sandbox: "PlaidSandbox") -> list[Call]:
    calls: list[Call] = []
    limiter = RateLimiter()
    lock = threading.Lock()
    counter = iter(range(1, 1 << 62))

    def admit() -> None:
        with lock:
            g.request_id = plaid_id("request", str(next(counter)), length=15)
        g.arrived = sandbox.clock()
        g.item_id = None
        parsed = request.get_json(silent=True)
        if not isinstance(parsed, dict):
            raise PlaidApiError("INVALID_BODY")
        g.body = parsed
        client_id = request.headers.get("PLAID-CLIENT-ID") or parsed.get("client_id")
        secret = request.headers.get("PLAID-SECRET") or parsed.get("secret")
        if not client_id or not secret:
            missing = [n for n, v in (("client_id", client_id), ("secret", secret)) if not v]
            raise PlaidApiError("MISSING_FIELDS", fields=", ".join(missing))
        world = sandbox.world
        if client_id != world.client_id or secret not in world.secrets:
            raise PlaidApiError("INVALID_API_KEYS")
        sandbox.settle()
        delay = sandbox.faults.delay_for(request.path)
        if delay:
            sandbox.sleep(delay)
        code = sandbox.faults.error_for(request.path)
        if code is not None:
            raise PlaidApiError(code)
        limit = world.rate_limits.get(request.path)
        if limit is None:
            return
        token = parsed.get("access_token")
        item = sandbox.item_by_token.get(token) if isinstance(token, str) else None
        now = sandbox.clock()
        per_client = limiter.admit((request.path, "client"), limit.per_client, now)
        per_item = item is None or limiter.admit((request.path, item.item_id), limit.per_item, now)
        if not (per_client and per_item):
            raise PlaidApiError(limit.error_code)

    def failed(error: PlaidApiError) -> Response:
        response = jsonify(error.body(g.get("request_id", "")))
        response.status_code = error.status
        return response

    def unknown_route(error: HTTPException) -> Response:
        failure = PlaidApiError("NOT_FOUND", status=error.code or 404)
        return failed(failure)

    def record(response: Response) -> Response:
        code = None
        if response.status_code >= 400 and response.is_json:
            code = (response.get_json(silent=True) or {}).get("error_code")
        call = Call(
            request.path,
            response.status_code,
            g.get("arrived", sandbox.clock()),
            g.get("item_id"),
            code,
        )
        with lock:
            calls.append(call)
        return response

    app.before_request(admit)
    app.after_request(record)
    app.register_error_handler(PlaidApiError, failed)
    app.register_error_handler(404, unknown_route)
    app.register_error_handler(405, unknown_route)
    return calls
