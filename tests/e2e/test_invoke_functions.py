"""`make invoke`: every function's handler runs with its first event against the offline
stack's resources, in a process of its own, as `sam local invoke` would run it."""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from devstack.invoke import FUNCTION_EVENTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def invoked(offline_stack: dict[str, Any]) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every function invoked once, a few at a time (each is a fresh interpreter).

    The refresh functions share one run, so they go in the state machine's order: the
    poller and the aborter need the run the starter stores."""
    env = {"PYTHONPATH": f"{ROOT / 'layers' / 'banksync'}:{ROOT}", "PATH": "/usr/bin:/bin"}

    def invoke(function: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "devstack.invoke", function]
        command += ["--state-file", offline_stack["state_file"]]
        return subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
        )

    in_order = ("RefreshStarterFunction", "CallbackPollerFunction", "RefreshAborterFunction")

    def invoke_in_order() -> list[subprocess.CompletedProcess[str]]:
        return [invoke(function) for function in in_order]

    others = [function for function in FUNCTION_EVENTS if function not in in_order]
    with ThreadPoolExecutor(max_workers=4) as pool:
        refresh = pool.submit(invoke_in_order)
        answers = dict(zip(others, pool.map(invoke, others), strict=True))
        answers.update(zip(in_order, refresh.result(), strict=True))
    return answers


@pytest.mark.parametrize("function", sorted(FUNCTION_EVENTS))
def test_a_function_answers_its_event(
    function: str, invoked: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    run = invoked[function]
    assert run.returncode == 0, f"{function}:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
    answer = json.loads(run.stdout)
    if isinstance(answer, dict) and "statusCode" in answer:
        assert answer["statusCode"] < 500, answer
    if isinstance(answer, dict) and "batchItemFailures" in answer:
        assert answer["batchItemFailures"] == [], answer


def test_the_webhook_event_is_stored_with_the_stacks_token(
    invoked: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    answer = json.loads(invoked["WebhookReceiverFunction"].stdout)
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["status"] in {"stored", "duplicate"}
