"""Provider calls and freshness with the provider's push, against the targets of the design.

Everything runs the real ASL in moto against the sandbox, on virtual time:

- calls per account per day for the daily default: the provider refreshes
  every account itself once a day (and says so by webhook, or the webhook is
  lost), and banksync's daily sweep runs 6 hours later; counted over the 3
  days after the first sweep, which loads history;
- freshness (provider-ready → stored) and provider calls per item of
  banksync's own refreshes, for readiness after 5, 30, 90, 300 and 600 s,
  with the provider's webhook delivered or lost, on a stack that has seen
  webhooks arrive (they are trusted) and on one that has not;
- freshness of a pushed update (the provider's own refresh).
"""

import json
import os
import warnings
from datetime import datetime
from typing import Any

from tests.support.stack import use_offline_environment

use_offline_environment()
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
warnings.filterwarnings("ignore", "No application metrics to publish")

import boto3  # noqa: E402
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from banksync.clock import iso  # noqa: E402
from devstack.sandbox import AccountSpec, Scenario, World  # noqa: E402
from tests.support.push import PushHarness  # noqa: E402
from tests.support.sandbox import provider_account  # noqa: E402
from tests.support.stack import MOTO_CONFIG, provisioned_stack  # noqa: E402
from tests.support.sync import SyncHarness  # noqa: E402
from tests.support.workflow import RefreshHarness  # noqa: E402

DAY = 86_400
DELAYS = (5, 30, 90, 300, 600)
COLUMNS = (("sent", True), ("sent", False), ("never", False), ("never", True))


class Stack:
    """A fresh stack in moto with the push path wired, for one measurement."""

    def __enter__(self) -> PushHarness:
        self._mock = mock_aws(config=MOTO_CONFIG)
        self._mock.start()
        self._patch = pytest.MonkeyPatch()
        session = boto3.Session(region_name="us-east-1")
        stack = provisioned_stack(session)
        stack.parameters["LogLevel"] = "ERROR"
        refresh = RefreshHarness(session, stack, self._patch)
        self._dispatch = refresh.dispatcher.installed()
        self._dispatch.__enter__()
        sync = SyncHarness.build(session, stack, refresh, self._patch)
        return PushHarness.build(sync, self._patch, notifier=None)

    def __exit__(self, *exc: Any) -> None:
        self._dispatch.__exit__(*exc)
        self._patch.undo()
        self._mock.stop()


def sequential_executions(push: PushHarness) -> None:
    """Each execution the batcher starts runs to its end before the batcher goes on:
    on one virtual clock, executions must not overlap (their waits would add up)."""
    pager = push.sync.batcher.batcher.daily.pager
    start = pager.sfn.start_execution

    def start_and_finish(**request: Any) -> Any:
        answer = start(**request)
        push.sync.refresh.finish(request["name"])
        return answer

    pager.sfn = type(
        "Sfn",
        (),
        {"start_execution": staticmethod(start_and_finish), "exceptions": pager.sfn.exceptions},
    )()


def calls_per_account_per_day(webhook: str, new_share: float, accounts: int = 20) -> float:
    with Stack() as push:
        specs = [
            AccountSpec(
                f"acct-{i:02d}",
                f"cust-{i % 5}",
                scenario=Scenario(ready_after=60, webhook=webhook),
                new_per_refresh=3 if i < round(accounts * new_share) else 0,
            )
            for i in range(accounts)
        ]
        sandbox = push.use(World(accounts=specs, auto_refresh_seconds=DAY))
        sequential_executions(push)
        bank = push.bank()
        for spec in specs:
            bank.register_account(provider_account(spec), "2026-01-01T00:00:00.000Z")
        sqs = push.sync.aws.client("sqs")
        clock = push.sync.refresh.clock
        begun = clock.now  # the provider refreshes every account at begun + k days
        counted_from = 0
        for day in range(4):
            if day:
                # Queues are pumped all the time in a deployed stack: let the
                # provider's own refresh and its fetches run on a fine step.
                push.advance(begun + day * DAY - 60 - clock.now, step=DAY / 4)
                push.advance(3600, step=15)
            push.advance(begun + day * DAY + DAY / 4 - clock.now, step=DAY / 4)
            sqs.send_message(
                QueueUrl=push.sync.stack.refs["DueRefreshQueue"],
                MessageBody=json.dumps({"kind": "all_accounts"}),
            )
            push.sync.drain_due_work(max_batches=2000)
            if day == 0:
                counted_from = len(sandbox.calls)  # day 0 loads history: not the steady state
        return (len(sandbox.calls) - counted_from) / accounts / 3


def own_refresh(delay: int, webhook: str, trusted: bool) -> tuple[float, float]:
    """(freshness in seconds, provider calls per item) of one refresh of one account."""
    with Stack() as push:
        scenario = Scenario(ready_after=delay, webhook=webhook)
        spec = AccountSpec("acct-0", "cust-0", scenario=scenario)
        sandbox = push.use(World(accounts=[spec], auto_refresh_seconds=None))
        if trusted:
            push.sync.refresh.modules["CallbackPollerFunction"].workflow.wake.record_hit(
                iso(push.sync.refresh.now())
            )
        begun = push.sync.refresh.clock.now
        calls = len(sandbox.calls)
        items = [{"account_id": "acct-0", "product": p} for p in ("balance", "transactions")]
        push.sync.refresh.run({"refresh_id": "bench", "items": items})
        runs = push.sync.refresh.modules["CallbackPollerFunction"].workflow.runs
        finished = [
            datetime.fromisoformat(item.finished_at or "").timestamp()
            for item in runs.items("bench")
        ]
        if {item.status for item in runs.items("bench")} != {"succeeded"}:
            raise RuntimeError(f"the refresh did not succeed (ready after {delay} s)")
        return max(finished) - (begun + delay), (len(sandbox.calls) - calls) / len(items)


def bound_refresh(webhook: str, accounts: int = 30, delay: int = 60) -> dict[str, float]:
    """A batch whose provider budget binds (20 calls a minute for 2 calls an item):
    freshness (ready → stored) per item, median and max, and calls per item."""
    with Stack() as push:
        specs = [
            AccountSpec(
                f"acct-{i:02d}", "cust-0", scenario=Scenario(ready_after=delay, webhook=webhook)
            )
            for i in range(accounts)
        ]
        sandbox = push.use(World(accounts=specs, auto_refresh_seconds=None, requests_per_minute=30))
        if webhook == "sent":
            push.sync.refresh.modules["CallbackPollerFunction"].workflow.wake.record_hit(
                iso(push.sync.refresh.now())
            )
        items = [{"account_id": s.account_id, "product": "balance"} for s in specs]
        calls = len(sandbox.calls)
        push.sync.refresh.run({"refresh_id": "bench-bound", "items": items})
        runs = push.sync.refresh.modules["CallbackPollerFunction"].workflow.runs
        stored = runs.items("bench-bound")
        if {item.status for item in stored} != {"succeeded"}:
            raise RuntimeError("the bound refresh did not succeed")
        fresh = sorted(
            datetime.fromisoformat(item.finished_at or "").timestamp()
            - datetime.fromisoformat(item.started_at or "").timestamp()
            - delay
            for item in stored
        )
        return {
            "median": fresh[len(fresh) // 2],
            "max": fresh[-1],
            "calls": (len(sandbox.calls) - calls) / len(stored),
        }


def pushed_freshness(delay: int) -> float:
    """Seconds from the provider's data being ready (its webhook) to stored."""
    with Stack() as push:
        spec = AccountSpec("acct-0", "cust-0", scenario=Scenario(ready_after=delay))
        sandbox = push.use(World(accounts=[spec], auto_refresh_seconds=DAY))
        push.advance(DAY, step=DAY)
        push.advance(delay + 60, step=1)
        (ready,) = [
            s for s in sandbox.outbox.sent if s.payload["callback_code"] == "BALANCE_SUCCESS"
        ]
        update = push.update(str(ready.payload["record"]), "balance")
        if update is None or not update.finished_at:
            raise RuntimeError("the pushed update was not stored")
        return datetime.fromisoformat(update.finished_at).timestamp() - ready.at


def main() -> None:
    print(
        "provider calls per account per day, daily default (target with webhooks ≤ 1.2; before: 4)"
    )
    for webhook, label in (("sent", "webhooks delivered"), ("never", "webhooks lost")):
        for share in (0.2, 1.0):
            calls = calls_per_account_per_day(webhook, share)
            print(f"  {label:<19} {share:>4.0%} of accounts with new transactions: {calls:.2f}")
    print("banksync's own refreshes: freshness (ready → stored) and provider calls per item")
    print("  (target with the webhook: ≤ max(2 s, 10 % of the delay), ≤ 2.1 calls per item)")
    for delay in DELAYS:
        cells = []
        for webhook, trusted in (
            ("sent", True),
            ("sent", False),
            ("never", False),
            ("never", True),
        ):
            fresh, calls = own_refresh(delay, webhook, trusted)
            cells.append(f"{fresh:6.1f} s {calls:4.1f}")
        print(f"  ready after {delay:3d} s: " + " | ".join(cells))
    print("  columns: webhook (trusted) | webhook (first seen) | lost | lost while trusted")
    print("a batch of 30 whose budget binds (20 calls a minute, ready after 60 s)")
    for webhook, label in (("sent", "webhooks delivered"), ("never", "webhooks lost")):
        bound = bound_refresh(webhook)
        print(
            f"  {label:<19} freshness median {bound['median']:.1f} s, max {bound['max']:.1f} s;"
            f" {bound['calls']:.2f} calls per item"
        )
    print("pushed updates (the provider's own refresh): freshness, webhook delivered")
    for delay in DELAYS:
        print(f"  ready after {delay:3d} s: {pushed_freshness(delay):.1f} s")
    print("  with the webhook lost there is no push: the sweep refreshes the account once its")
    print("  data is older than SweepStaleAfterHours (26 h)")


if __name__ == "__main__":
    main()
