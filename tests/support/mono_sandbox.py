"""The Mono sandbox driven from outside, over HTTP, on a virtual clock."""

import json
from pathlib import Path
from typing import Any

import httpx

from devstack.sandbox_mono import SANDBOX_SECRET_KEY, MonoAccountSpec, MonoSandbox, MonoWorld
from tests.support.sandbox import VirtualClock

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mono"
HOOK = "https://business.example/webhooks/mono"
HOOK_SECRET = "whsec-sandbox-test"
# Fields Mono's January 2026 changelog added to events whose older examples lack them.
ADDED_SINCE_EXAMPLE = {"event_id", "timestamp"}


class Business:
    """The business's webhook endpoint: answers what the test scripts, records what came."""

    def __init__(self, *answers: int) -> None:
        self.answers = list(answers)
        self.received: list[tuple[dict[str, Any], str | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        secret = request.headers.get("mono-webhook-secret")
        self.received.append((json.loads(request.content), secret))
        return httpx.Response(self.answers.pop(0) if self.answers else 200)

    @property
    def events(self) -> list[str]:
        return [payload["event"] for payload, _ in self.received]

    def last(self, event: str) -> dict[str, Any]:
        return [payload for payload, _ in self.received if payload["event"] == event][-1]


class MonoHarness:
    def __init__(self, world: MonoWorld | None = None, *answers: int) -> None:
        self.clock = VirtualClock()
        self.sandbox = MonoSandbox(world, clock=self.clock, sleep=self.clock.sleep)
        self.business = Business(*answers)
        transport = httpx.MockTransport(self.business)
        self.sandbox.outbox.send_to(HOOK, HOOK_SECRET, transport=transport)
        self.http = self.client()

    def client(self, key: str | None = SANDBOX_SECRET_KEY) -> httpx.Client:
        headers = {"mono-sec-key": key} if key else {}
        return httpx.Client(
            base_url="https://api.withmono.com",
            transport=self.sandbox.transport(),
            headers=headers,
        )

    def advance(self, seconds: float) -> int:
        """Move time on and let the sandbox do what fell due; webhooks delivered."""
        self.clock.advance(seconds)
        return self.sandbox.tick()

    def linked(self, spec: MonoAccountSpec, ref: str | None = None) -> str:
        """A customer links ``spec`` in the widget and the business exchanges the code."""
        code = self.sandbox.link_account(spec, ref)
        answer = self.http.post("/v2/accounts/auth", json={"code": code})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["id"])


def account(number: int = 1, **fields: Any) -> MonoAccountSpec:
    return MonoAccountSpec(f"{number:024x}", fields.pop("customer_id", "c" * 24), **fields)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def shape_gaps(documented: Any, answer: Any, path: str = "") -> list[str]:
    """Where ``answer`` is not shaped as the documented example: keys it lacks, keys it
    adds, values of another JSON type (null matches anything; lists by their first row)."""
    if isinstance(documented, dict):
        if not isinstance(answer, dict):
            return [f"{path or '.'}: not an object"]
        gaps = [f"{path}.{k}: missing" for k in documented if k not in answer]
        extra = set(answer) - set(documented) - ADDED_SINCE_EXAMPLE
        gaps += [f"{path}.{k}: not documented" for k in sorted(extra)]
        for key in documented.keys() & answer.keys():
            gaps += shape_gaps(documented[key], answer[key], f"{path}.{key}")
        return gaps
    if isinstance(documented, list):
        if not isinstance(answer, list):
            return [f"{path}: not a list"]
        return shape_gaps(documented[0], answer[0], f"{path}[]") if documented and answer else []
    if documented is None or answer is None:
        return []
    same = type(documented) is type(answer) or {type(documented), type(answer)} <= {int, float}
    return [] if same else [f"{path}: {type(answer).__name__}, not {type(documented).__name__}"]
