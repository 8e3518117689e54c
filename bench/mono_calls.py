"""Mono's figures: freshness and provider calls of banksync's own refreshes (Mono
real-time jobs) and of Mono's push, against the targets of the design.

Everything runs the real ASL in moto against the Mono sandbox, on virtual time:

- banksync's own refresh of one account (balance and transactions), for a job
  that finishes 5, 30, 90 and 300 s after it is asked for, with Mono's webhook
  delivered or lost, on a stack that trusts webhooks and one that has not seen
  any: freshness (job finished → stored) and Mono calls per item;
- Mono's push: an account Mono updated on its own (``account_updated`` with new
  data): Mono calls per account to store it, and freshness (webhook → stored).
"""

import os
import warnings
from datetime import datetime
from typing import Any

from tests.support.stack import use_offline_environment

use_offline_environment()
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
warnings.filterwarnings("ignore", "No application metrics to publish")

from banksync.clock import iso  # noqa: E402
from bench.provider_calls import Stack  # noqa: E402
from devstack.sandbox_mono import MonoAccountSpec, MonoWorld  # noqa: E402
from tests.support.mono_push import use_mono  # noqa: E402
from tests.support.push import PushHarness  # noqa: E402

ACCOUNT, CUSTOMER = "65f0a1b2c3d4e5f6a7b8c9d0", "65f0a1b2c3d4e5f6a7b8c9ff"
DELAYS = (5, 30, 90, 300)


def world(**options: Any) -> MonoWorld:
    return MonoWorld(accounts=[MonoAccountSpec(ACCOUNT, CUSTOMER)], **options)


def trust_webhooks(push: PushHarness) -> None:
    wake = push.sync.refresh.modules["CallbackPollerFunction"].workflow.wake
    wake.record_hit(iso(push.sync.refresh.now()))


def own_refresh(delay: int, delivered: bool, trusted: bool) -> tuple[float, float]:
    """(freshness in seconds, Mono calls per item) of one refresh of one account."""
    with Stack() as push:
        sandbox = use_mono(push, world(realtime_delay=delay))
        if not delivered:
            sandbox.faults.drop_webhooks(1000)
        if trusted:
            trust_webhooks(push)
        begun = push.sync.refresh.clock.now
        calls = len(sandbox.calls)
        items = [{"account_id": ACCOUNT, "product": p} for p in ("balance", "transactions")]
        push.sync.refresh.run({"refresh_id": "bench", "provider": "mono", "items": items})
        runs = push.sync.refresh.modules["CallbackPollerFunction"].workflow.runs
        stored = runs.items("bench")
        if {item.status for item in stored} != {"succeeded"}:
            raise RuntimeError(f"the Mono refresh did not succeed (job of {delay} s)")
        finished = [datetime.fromisoformat(i.finished_at or "").timestamp() for i in stored]
        return max(finished) - (begun + delay), (len(sandbox.calls) - calls) / len(items)


def pushed(share_new: float = 0.2, accounts: int = 10) -> tuple[float, float]:
    """Mono's own sync of ``accounts`` (``share_new`` of them with new rows): Mono calls
    per account, and the slowest webhook → stored."""
    with Stack() as push:
        specs = [MonoAccountSpec(f"{i:024x}", CUSTOMER) for i in range(accounts)]
        sandbox = use_mono(push, MonoWorld(accounts=specs, auto_sync_seconds=3600))
        for spec in specs[: round(accounts * share_new)]:
            sandbox.post_transactions(spec.account_id, 2)
        calls = len(sandbox.calls)
        push.advance(3600 + 120, step=30)
        news = [s for s in sandbox.outbox.sent if s.payload["event"].endswith("account_updated")]
        bank = push.bank()
        latest = 0.0
        for sent in news:
            account = sent.payload["data"]["account"]["_id"]
            rows = bank.transactions(account)
            if not rows:
                raise RuntimeError(f"Mono's update of {account} was not stored")
            stored = max(datetime.fromisoformat(str(r["as_of"])).timestamp() for r in rows)
            latest = max(latest, stored - sent.at)
        return (len(sandbox.calls) - calls) / accounts, latest


def main() -> None:
    print("Mono: banksync's own refresh of one account (a real-time job), both products")
    print("  freshness = job finished → stored; target with webhooks ≤ max(2 s, 10 % of the delay)")
    header = "  job after  | webhook delivered, trusted | delivered, not yet trusted | lost"
    print(header)
    for delay in DELAYS:
        cells = []
        for delivered, trusted in ((True, True), (True, False), (False, False)):
            fresh, calls = own_refresh(delay, delivered, trusted)
            cells.append(f"{fresh:6.1f} s, {calls:.2f} calls/item")
        print(f"  {delay:6d} s  | " + " | ".join(cells))
    per_account, latest = pushed()
    print("Mono's own sync, 20 % of accounts with new data (target ≤ 1.2 calls/account)")
    print(f"  {per_account:.2f} Mono calls per account; slowest webhook → stored {latest:.1f} s")


if __name__ == "__main__":
    main()
