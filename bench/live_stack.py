"""What `make bench-live` drives: a provider in this process, `make local` in another.

The provider is the sandbox on loopback; it keeps every call it answered and every
record, and POSTs its webhooks to the stack as a provider dashboard would. The
stack is ``python -m devstack.local`` pointed at it (``--okra-base-url``), reached
only as a user reaches it: over its HTTP API and the AWS endpoint (moto).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import httpx

from devstack.sandbox import Sandbox, World
from devstack.sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parents[1]
BOOT_SECONDS = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seconds(iso_time: str | None) -> float | None:
    return datetime.fromisoformat(iso_time).timestamp() if iso_time else None


class Provider:
    """The sandbox on loopback, sending its due webhooks every ``tick`` seconds."""

    def __init__(self, world: World, tick: float = 0.1) -> None:
        self.sandbox = Sandbox(world)
        self.server = SandboxServer(self.sandbox).start()
        self._tick, self._stopping = tick, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def send_webhooks_to(self, url: str, token: str) -> None:
        self.sandbox.outbox.send_to(url, token)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping.wait(self._tick):
            self.sandbox.tick()

    def stop(self) -> None:
        self._stopping.set()
        self.server.stop()


class Stack:
    """`make local` in its own process, started empty (``--no-demo``) on free ports."""

    def __init__(
        self, provider: Provider, parameters: dict[str, str], workdir: Path, log: Path
    ) -> None:
        self.state_file = workdir / "stack.json"
        self.log = log
        self.command = [
            sys.executable,
            "-m",
            "devstack.local",
            "--no-demo",
            "--api-port",
            str(free_port()),
            "--moto-port",
            str(free_port()),
            "--okra-base-url",
            provider.server.base_url,
            "--okra-secret-key",
            provider.sandbox.world.secret_key,
            "--log-level",
            "ERROR",
            "--state-file",
            str(self.state_file),
            # The bench measures Okra's sandbox alone: Mono's stays off.
            "--parameter",
            "Providers=okra",
        ]
        for name, value in parameters.items():
            self.command += ["--parameter", f"{name}={value}"]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> dict[str, Any]:
        layer = ROOT / "layers" / "banksync"
        env = {**os.environ, "PYTHONPATH": f"{layer}{os.pathsep}{ROOT}"}
        for name in ("AWS_ENDPOINT_URL", "MOTO_PORT"):
            env.pop(name, None)
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + BOOT_SECONDS
        while not self.state_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the offline stack did not start; see {self.log}")
            time.sleep(0.5)
        state: dict[str, Any] = json.loads(self.state_file.read_text())
        return state

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Api:
    """The stack's HTTP API, as a user calls it."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=60)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.http.post(path, json=body)
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        answer = self.http.get(path, params=params)
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    def pages(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        token = None
        while True:
            page = self.get(path, **params, **({"next_token": token} if token else {}))
            yield from page["items"]
            token = page.get("next_token")
            if not token:
                return

    def refreshes(self, kind: str, since: str) -> list[dict[str, Any]]:
        return list(self.pages("/refreshes", kind=kind, since=since, limit=100))

    def transactions(self, account_id: str) -> list[dict[str, Any]]:
        path = f"/accounts/{account_id}/transactions"
        return list(self.pages(path, limit=500, **{"from": "2000-01-01", "to": "2100-01-01"}))

    def latest_balance(self, account_id: str) -> dict[str, Any] | None:
        found = self.get(f"/accounts/{account_id}/balances", limit=1)["items"]
        return found[0] if found else None

    def feed(self, account_id: str) -> list[tuple[str, str, int]]:
        """Every change of the account's feed: (transaction id, change, change_seq)."""
        changes: list[tuple[str, str, int]] = []
        cursor = None
        while True:
            page = self.get(
                f"/accounts/{account_id}/transactions/sync",
                count=500,
                **({"cursor": cursor} if cursor else {}),
            )
            for change in ("added", "modified", "removed"):
                changes += [
                    (row["transaction_id"], change, int(row.get("change_seq") or 0))
                    for row in page[change]
                ]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return changes


def aws(state: dict[str, Any], service: str) -> Any:
    """A client of the stack's AWS endpoint (moto), as the AWS CLI reaches it."""
    session = boto3.Session(
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 (moto takes any credentials)
        region_name=state["region"],
    )
    return session.client(service, endpoint_url=state["aws_endpoint_url"])  # type: ignore[call-overload]


def webhook_health(state: dict[str, Any]) -> tuple[str | None, str | None]:
    """When a webhook last announced one of banksync's records, and when a poll last
    found data ready that no webhook had announced (the stack's own record of both)."""
    found = aws(state, "dynamodb").get_item(
        TableName=state["tables"]["DataTable"],
        Key={"pk": {"S": "WEBHOOKS"}, "sk": {"S": "HEALTH"}},
    )
    item = found.get("Item", {})
    return item.get("last_hit_at", {}).get("S"), item.get("last_miss_at", {}).get("S")


def history_events(state: dict[str, Any], since: float, until: float) -> list[int]:
    """Events in the history of each refresh execution started in [since, until]."""
    sfn = aws(state, "stepfunctions")
    counts = []
    executions = sfn.get_paginator("list_executions").paginate(
        stateMachineArn=state["state_machine_arn"]
    )
    for page in executions:
        for execution in page["executions"]:
            if not since <= execution["startDate"].timestamp() <= until:
                continue
            events = 0
            history = sfn.get_paginator("get_execution_history").paginate(
                executionArn=execution["executionArn"], PaginationConfig={"PageSize": 1000}
            )
            for part in history:
                events += len(part["events"])
            counts.append(events)
    return counts
