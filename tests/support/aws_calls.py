"""Every AWS call made while a recording is open, with the caller AWS would charge it to.

The hook is botocore's ``provide-client-params`` event, registered as a built-in
handler, so every session made after ``install()`` carries it: the functions'
clients, the tests' and the ones moto's Step Functions engine makes for its
tasks. A call is charged to the deployed code that makes it, read from the
stack at the moment of the call: the innermost frame of a function's folder
(layer code counts for the function running it), the state machine when the
Step Functions engine itself calls, an AWS service a devstack module stands in
for, and nobody (the harness) when a test or the devstack makes it. The
thread says nothing: the harness pumps streams and queues on the engine's
thread while an execution waits.
"""

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import FrameType
from typing import Any

import botocore.handlers

from tests.support.iam_actions import Need, needs_of

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ("tests", "devstack", "bench", "examples", "scripts")
# Where a devstack module does what an AWS service does with a role of the template:
# (file, function, operation) -> the service. Its other calls are the harness's.
SERVICES = {
    ("devstack/scheduler.py", "fire", "sqs.SendMessage"): "scheduler",
    ("devstack/pipes.py", "_put", "events.PutEvents"): "pipe",
}
STATE_MACHINE = "state_machine"
_ENGINE = ("moto", "stepfunctions")


@dataclass(frozen=True)
class AwsCall:
    """One call: who makes it (``function:<folder>``, ``state_machine``,
    ``service:<name>``), what it is, and the deployed line it comes from."""

    caller: str
    operation: str
    needs: tuple[Need, ...]
    origin: str


@dataclass
class Recording:
    calls: list[AwsCall] = field(default_factory=list)
    # Calls no role of the stack makes: the tests' (layer classes they drive directly
    # included), the harness's, provisioning's.
    harness: int = 0
    # Calls with no frame of this project but layer code's (a thread the layer started).
    unattributed: int = 0


_active: list[Recording] = []
_lock = threading.Lock()


def install() -> None:
    """Register the hook for every botocore session made from now on."""
    entry = ("provide-client-params", _record)
    if entry not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(entry)


@contextmanager
def recording() -> Iterator[Recording]:
    """Record the calls made (on any thread) until the block ends."""
    opened = Recording()
    with _lock:
        _active.append(opened)
    try:
        yield opened
    finally:
        with _lock:
            _active.remove(opened)


def _record(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    if not _active:
        return
    operation = f"{model.service_model.service_name}.{model.name}"
    caller, origin = attribute(sys._getframe(1), operation)
    with _lock:
        for opened in _active:
            if caller == "harness":
                opened.harness += 1
            elif caller is None:
                opened.unattributed += 1
            else:
                region = context.get("client_region") or "us-east-1"
                needs = needs_of(model.service_model, model.name, params, region)
                opened.calls.append(AwsCall(caller, operation, needs, origin))


def attribute(frame: FrameType | None, operation: str) -> tuple[str | None, str]:
    """(caller, origin) for ``operation`` called with ``frame`` innermost."""
    origin = ""
    while frame is not None:
        code = frame.f_code
        kind = classify(code.co_filename)
        if kind is not None and not origin and kind != STATE_MACHINE:
            origin = f"{_relative(code.co_filename)}:{frame.f_lineno} {code.co_name}"
        if kind == "harness":
            service = SERVICES.get((_relative(code.co_filename), code.co_name, operation))
            return (f"service:{service}" if service else kind), origin
        if kind not in (None, "layer"):
            return kind, origin
        frame = frame.f_back
    return None, origin


@cache
def classify(filename: str) -> str | None:
    """What a frame of ``filename`` says about the caller, if anything."""
    path = Path(filename)
    if _ENGINE[0] in path.parts and _ENGINE[1] in path.parts:
        return STATE_MACHINE
    try:
        parts = path.relative_to(ROOT).parts
    except ValueError:
        return None
    if not parts or parts[0].startswith("."):
        return None  # the venvs' libraries
    if parts[0] == "functions" and len(parts) > 2:
        return f"function:{parts[1]}"
    if parts[0] == "layers":
        return "layer"
    return "harness" if parts[0] in HARNESS else None


@cache
def _relative(filename: str) -> str:
    try:
        parts = Path(filename).relative_to(ROOT).parts
    except ValueError:
        return filename
    if parts[:3] == ("layers", "banksync", "banksync"):
        parts = parts[2:]
    return "/".join(parts)
