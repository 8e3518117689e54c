"""`make provider-check PROVIDER=mono`: the adapter's contract checks against a real
provider, with a deployer's keys, before going live.

The checks are those of ``tests/contract/provider_contract.py``, run here with a
client built as the stack builds it (the adapter, unmodified) and a waiter that
sleeps for real. Keys come from the environment, never from a file:

- ``MONO_SECRET_KEY`` (``test_sk_…`` first: real-time calls are billed on live keys),
  ``MONO_BASE_URL`` (default Mono's API), ``MONO_ACCOUNT_ID`` (an account linked in
  the app, or ``MONO_CODE``: a widget code, exchanged first).

Without a key it checks nothing and says so (exit 0): CI has no network and no keys.
``--sandbox`` runs the same checks against the offline Mono sandbox instead.
"""

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from banksync.mono.client import MonoClient
from tests.contract import provider_contract as contract

CHECKED = ("mono",)


@contextmanager
def sandbox_target() -> Iterator[dict[str, str]]:
    """The offline Mono sandbox on loopback, one account linked, a code minted for it."""
    from devstack.sandbox_mono import SANDBOX_SECRET_KEY, MonoSandbox, demo_mono_world
    from devstack.sandbox_mono.server import MonoSandboxServer

    sandbox = MonoSandbox(demo_mono_world(realtime_delay=1.0))
    server = MonoSandboxServer(sandbox).start()
    try:
        account = next(iter(sandbox.accounts))
        yield {
            "MONO_SECRET_KEY": SANDBOX_SECRET_KEY,
            "MONO_BASE_URL": server.base_url,
            "MONO_CODE": sandbox.mint_code(account),
        }
    finally:
        server.stop()


def run_checks(settings: dict[str, str], wait: Callable[[float], None]) -> list[contract.Finding]:
    key = settings["MONO_SECRET_KEY"]
    base = settings.get("MONO_BASE_URL") or "https://api.withmono.com"
    client = MonoClient(base, lambda: key)
    findings = []
    account_id = settings.get("MONO_ACCOUNT_ID", "")
    if not account_id:
        found = contract.exchange(client, settings["MONO_CODE"])
        findings.append(found)
        account_id = str(found.detail["account_id"])
    findings.append(contract.account(client, account_id))
    findings.append(contract.balance(client, account_id, wait))
    findings.append(contract.transaction_pages(client, account_id, wait))
    findings.append(contract.bad_key(MonoClient(base, lambda: key + "-not-the-key")))
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("provider", choices=CHECKED)
    parser.add_argument("--sandbox", action="store_true", help="check the offline sandbox")
    args = parser.parse_args(argv)
    if args.sandbox:
        with sandbox_target() as settings:
            return report(run_checks(settings, time.sleep), "the offline Mono sandbox")
    settings = {k: v for k, v in os.environ.items() if k.startswith("MONO_")}
    if not settings.get("MONO_SECRET_KEY"):
        print("provider-check mono: not run: MONO_SECRET_KEY is not set (no keys, no network)")
        return 0
    if not (settings.get("MONO_ACCOUNT_ID") or settings.get("MONO_CODE")):
        print("provider-check mono: set MONO_ACCOUNT_ID (a linked account) or MONO_CODE")
        return 2
    return report(run_checks(settings, time.sleep), settings.get("MONO_BASE_URL", "Mono"))


def report(findings: list[contract.Finding], target: str) -> int:
    for finding in findings:
        detail: dict[str, Any] = finding.detail
        print(f"ok  {finding.check}: {json.dumps(detail, default=str)}")
    print(f"provider-check mono: {len(findings)} checks passed against {target}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as broken:
        print(f"FAILED  {broken}")
        sys.exit(1)
