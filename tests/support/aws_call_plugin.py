"""pytest plugin: every AWS call deployed code makes in a test is judged against its role.

A directory opts in with an autouse fixture that requests ``aws_calls_judged``
(tests/integration does). Each of its tests records the calls made while it
runs; a call its role does not allow fails the test, naming the role, the
action, the resource and the line that made it. The tallies of the whole run
(calls traced, judged, denied; grants no call used) are printed at the end and
written to the pytest cache as ``aws-calls/trace.json``; under xdist each
worker sends its tally to the controller, which merges them.
"""

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from devstack.template import StackTemplate
from tests.support.aws_calls import AwsCall, Recording, recording
from tests.support.iam_actions import Need
from tests.support.iam_judge import StackPolicies

RECORDING = pytest.StashKey[Recording]()
JUDGED = pytest.StashKey[int]()
KEY = "aws_calls"


@dataclass
class Tally:
    traced: int = 0
    judged: int = 0  # calls deployed code made, each judged against its role
    harness: int = 0
    unattributed: int = 0
    unjudged: int = 0  # made in a test with no provisioned stack to judge them by
    calls: Counter[str] = field(default_factory=Counter)  # JSON lines of judged calls
    grants: dict[str, str] = field(default_factory=dict)  # grant key -> description
    used: set[str] = field(default_factory=set)

    def add(self, policies: StackPolicies, calls: list[AwsCall]) -> list[str]:
        """Judge ``calls``; the denials, described."""
        self._know(policies)
        self.judged += len(calls)
        denied = policies.denials(calls)
        for call in calls:
            role = policies.role_of(call.caller)
            for need in call.needs:
                allowed = role is not None and policies.allows(role, need)
                line = {
                    "caller": call.caller,
                    "role": role,
                    "operation": call.operation,
                    "action": need.action,
                    "resource": need.resource,
                    "origin": call.origin,
                    "allowed": allowed,
                }
                self.calls[json.dumps(line, sort_keys=True)] += 1
                if role is not None:
                    self.used |= _grants_for(policies, role, need)
        return [str(denial) for denial in denied]

    def _know(self, policies: StackPolicies) -> None:
        if self.grants:
            return
        for role, grants in policies.grants.items():
            for index, grant in enumerate(grants):
                self.grants[f"{role}#{index}"] = f"{role}: {grant.action} on {grant.resource}"
        for role, need in policies.platform_needs():
            self.used |= _grants_for(policies, role, need)

    def to_json(self) -> dict[str, Any]:
        return {
            "traced": self.traced,
            "judged": self.judged,
            "harness": self.harness,
            "unattributed": self.unattributed,
            "unjudged": self.unjudged,
            "calls": dict(self.calls),
            "grants": self.grants,
            "used": sorted(self.used),
        }

    def merge(self, data: dict[str, Any]) -> None:
        for name in ("traced", "judged", "harness", "unattributed", "unjudged"):
            setattr(self, name, getattr(self, name) + data[name])
        self.calls.update(data["calls"])
        self.grants.update(data["grants"])
        self.used |= set(data["used"])

    def unused(self) -> list[str]:
        return sorted(text for key, text in self.grants.items() if key not in self.used)


def _grants_for(policies: StackPolicies, role: str, need: Need) -> set[str]:
    return {f"{role}#{index}" for index in policies.grants_allowing(role, need)}


_tally = Tally()
_policies: dict[int, tuple[StackTemplate, StackPolicies]] = {}


@pytest.fixture
def aws_calls_judged(request: pytest.FixtureRequest) -> Iterator[Recording]:
    """Record this test's AWS calls; the call phase judges them (see the hooks below)."""
    with recording() as opened:
        request.node.stash[RECORDING] = opened
        request.node.stash[JUDGED] = 0
        yield opened
        denied = _judge(request.node)
    _tally.traced += opened.harness + opened.unattributed
    _tally.harness += opened.harness
    _tally.unattributed += opened.unattributed
    if denied:
        pytest.fail("\n".join(denied), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    denied = _judge(item)
    if denied:
        raise AssertionError("AWS calls the role does not allow:\n" + "\n".join(denied))
    return result


def _judge(item: pytest.Item) -> list[str]:
    opened = item.stash.get(RECORDING, None)
    if opened is None:
        return []
    start = item.stash[JUDGED]
    calls = opened.calls[start:]
    item.stash[JUDGED] = start + len(calls)
    stack = getattr(item, "funcargs", {}).get("stack")
    _tally.traced += len(calls)
    if not calls:
        return []
    if not isinstance(stack, StackTemplate):
        _tally.unjudged += len(calls)
        return []
    return _tally.add(_policies_of(stack), calls)


def _policies_of(stack: StackTemplate) -> StackPolicies:
    kept = _policies.get(id(stack))
    if kept is None or kept[0] is not stack:
        _policies.clear()  # one stack per test: the last one is the only one asked again
        kept = (stack, StackPolicies(stack))
        _policies[id(stack)] = kept
    return kept[1]


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[KEY] = _tally.to_json()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    data = getattr(node, "workeroutput", {}).get(KEY)
    if data:
        _tally.merge(data)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not (_tally.traced or _tally.calls) or hasattr(config, "workeroutput"):
        return
    decisions = sum(_tally.calls.values())
    denied = sum(n for line, n in _tally.calls.items() if not json.loads(line)["allowed"])
    write = terminalreporter.write_line
    terminalreporter.section("AWS calls judged against their roles")
    write(
        f"{_tally.traced} AWS calls traced: {_tally.judged} made by deployed code "
        f"({decisions} IAM decisions, {denied} denied), {_tally.harness} by tests and the "
        f"harness, {_tally.unattributed} by layer code on a thread of its own, "
        f"{_tally.unjudged} in tests with no stack to judge them by"
    )
    unused = _tally.unused()
    write(f"{len(unused)} grants no call of this run used (nor the platform):")
    for text in unused:
        write(f"  {text}")
    cache = getattr(config, "cache", None)
    if cache is not None:
        path = cache.mkdir("aws-calls") / "trace.json"
        path.write_text(json.dumps({**_tally.to_json(), "unused": unused}, indent=1))
        write(f"trace: {path}")
