"""What every call meets first: the state brought up to the clock, ``mono-sec-key``,
the business-wide rate limit, then any fault switched on; and the record of the call."""

import math
import threading
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from devstack.sandbox_mono.bank import AccountState
from devstack.sandbox_mono.envelope import failed

if TYPE_CHECKING:
    from devstack.sandbox_mono.app import MonoSandbox

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    status: int
    at: float  # the sandbox clock when the call arrived
    realtime: bool
    job_id: str | None


def realtime_asked() -> bool:
    """``x-realtime: true`` (the API reference pages also spell it ``x-real-time``)."""
    value = request.headers.get("x-realtime") or request.headers.get("x-real-time") or ""
    return value.strip().lower() == "true"


def install(app: Flask, sandbox: "MonoSandbox") -> list[Call]:
    calls: list[Call] = []
    arrivals: deque[float] = deque()
    lock = threading.Lock()

    def admit() -> Response | None:
        g.arrived = sandbox.clock()
        sandbox.settle()
        if request.headers.get("mono-sec-key") not in sandbox.world.secret_keys:
            return failed(g.arrived, 401, "Invalid or missing mono-sec-key")
        with lock:
            now = sandbox.clock()
            while arrivals and arrivals[0] <= now - WINDOW_SECONDS:
                arrivals.popleft()
            if len(arrivals) >= sandbox.world.requests_per_minute:
                wait = max(1, math.ceil(arrivals[0] + WINDOW_SECONDS - now))
                return failed(now, 429, "Too many requests", {"Retry-After": str(wait)})
            arrivals.append(now)
        delay = sandbox.faults.delay_for(request.path)
        if delay:
            sandbox.sleep(delay)
        status = sandbox.faults.error_for(request.path)
        if status == 429:
            return failed(sandbox.clock(), 429, "Too many requests", {"Retry-After": "60"})
        if status is not None:
            return failed(sandbox.clock(), status)
        return None

    def record(response: Response) -> Response:
        call = Call(
            request.method,
            request.path,
            response.status_code,
            g.get("arrived", sandbox.clock()),
            realtime_asked(),
            response.headers.get("x-job-id"),
        )
        with lock:
            calls.append(call)
        return response

    def unknown_route(error: HTTPException) -> Response:
        return failed(sandbox.clock(), error.code or 404, error.description)

    app.before_request(admit)
    app.after_request(record)
    app.register_error_handler(404, unknown_route)
    app.register_error_handler(405, unknown_route)
    return calls


def account_or_404(sandbox: "MonoSandbox", account_id: str) -> AccountState | Response:
    state = sandbox.accounts.get(account_id)
    if state is None:
        return failed(sandbox.clock(), 404, "Account not found")
    return state
