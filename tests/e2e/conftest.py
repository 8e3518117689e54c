"""One offline stack (`python -m devstack.local`) for the e2e tests, on free ports.

The tests talk to it only as a user would: over HTTP, and through the
embedded AWS endpoint with boto3. The sandbox's delays are shortened through
the stack's own options.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOT_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def offline_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    state_file = tmp_path_factory.mktemp("local") / "stack.json"
    log = (tmp_path_factory.getbasetemp() / "offline-stack.log").open("w")
    command = [
        sys.executable,
        "-m",
        "devstack.local",
        "--api-port",
        str(free_port()),
        "--moto-port",
        str(free_port()),
        "--ready-after",
        "3",
        "--initial-wait",
        "2",
        "--provider-refresh-every",
        "15",
        "--state-file",
        str(state_file),
        "--with-example",  # examples/stream-consumer beside it, on its exports
        # A wake the stack misses costs a refresh this long, not the default 10 minutes,
        # so no test waits out a fallback (the wake itself is asserted within seconds).
        "--parameter",
        "WebhookFallbackSeconds=30",
    ]
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'banksync'}{os.pathsep}{ROOT}"}
    for name in ("AWS_ENDPOINT_URL", "MOTO_PORT"):
        env.pop(name, None)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + BOOT_SECONDS
        while not state_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the offline stack did not start; see {log.name}")
            time.sleep(0.2)
        yield {**json.loads(state_file.read_text()), "log": log.name, "state_file": str(state_file)}
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C must stop everything cleanly
        code: int | None
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            code = None
        log.close()
    assert code == 0, f"the offline stack did not stop cleanly on Ctrl-C; see {log.name}"


@pytest.fixture(scope="session")
def aws_session(offline_stack: dict[str, Any]) -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="local",
        aws_secret_access_key="local",
        region_name=offline_stack["region"],
    )


@pytest.fixture(scope="session")
def dynamodb(offline_stack: dict[str, Any], aws_session: boto3.Session) -> Any:
    return aws_session.client("dynamodb", endpoint_url=offline_stack["aws_endpoint_url"])


def wait_for(check: Any, timeout: float, every: float = 1.0) -> Any:
    """Poll ``check`` until it returns something truthy (end-to-end: real time passes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"nothing after {timeout} s")
