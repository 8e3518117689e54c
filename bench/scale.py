"""Demand at scale against the provider's limit (``make bench-scale``).

First, 1,000 ``one_minute`` subscriptions (``BENCH_SUBSCRIPTIONS``, one account
each) tick for 90 minutes (``BENCH_MINUTES``): demand far above the budget,
which must lengthen every subscription's effective interval alike and fail
no item. Then 10,000 accounts (``BENCH_ACCOUNTS``) are registered and the daily sweep runs
over them with every provider webhook lost (the worst case: every item is
polled), against a sandbox enforcing 60 requests a minute, with banksync's
budget at 50. Real ASL in moto, many executions side by side, one virtual
clock (``tests.support.timekeeper``). Printed: 429s received, items that did
not succeed (and why), drain time against ``calls ÷ rate``, and the harness's
CPU seconds per 1,000 items.
"""

import json
import math
import os
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.stack import use_offline_environment

use_offline_environment()
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
warnings.filterwarnings("ignore", "No application metrics to publish")

import boto3  # noqa: E402
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from banksync.bankdata.store import BankDataStore  # noqa: E402
from devstack.queues import QueuePump  # noqa: E402
from devstack.sandbox import AccountSpec, Scenario, World  # noqa: E402
from devstack.scheduler import fire  # noqa: E402
from tests.support.sandbox import provider_account  # noqa: E402
from tests.support.stack import MOTO_CONFIG, provisioned_stack  # noqa: E402
from tests.support.sync import SyncHarness  # noqa: E402
from tests.support.timekeeper import TimeKeeper  # noqa: E402
from tests.support.workflow import RefreshHarness  # noqa: E402

PROVIDER_LIMIT = 60
RATE = 50


@contextmanager
def _concurrent_stack() -> Iterator[Any]:
    """The stack in moto, its functions wired, and one virtual clock for many executions."""
    with mock_aws(config=MOTO_CONFIG), pytest.MonkeyPatch.context() as patch:
        session = boto3.Session(region_name="us-east-1")
        stack = provisioned_stack(session)
        stack.parameters["LogLevel"] = "ERROR"
        refresh = RefreshHarness(session, stack, patch)
        yield session, stack, refresh, TimeKeeper(refresh), patch


def sweep(accounts: int) -> dict[str, Any]:
    with _concurrent_stack() as (session, stack, refresh, keeper, patch):
        specs = [
            AccountSpec(
                f"acct-{i:05d}",
                f"cust-{i // 2:05d}",
                scenario=Scenario(ready_after=60, webhook="never"),
                initial_transactions=2,
                new_per_refresh=1,
            )
            for i in range(accounts)
        ]
        world = World(accounts=specs, requests_per_minute=PROVIDER_LIMIT, auto_refresh_seconds=None)
        sandbox = refresh.use(world, rate=RATE)
        with refresh.dispatcher.installed():
            sync = SyncHarness.build(session, stack, refresh, patch)
            bank = BankDataStore(stack.refs["DataTable"], session.client("dynamodb"))
            for spec in specs:
                bank.register_account(provider_account(spec), "2026-01-01T00:00:00.000Z")
            due = QueuePump(
                session, stack.refs["DueRefreshQueue"], stack.attributes["DueRefreshQueue.Arn"]
            )
            session.client("sqs").send_message(
                QueueUrl=stack.refs["DueRefreshQueue"],
                MessageBody=json.dumps({"kind": "all_accounts"}),
            )
            began, cpu = refresh.clock.now, time.process_time()
            while True:
                while due.deliver(lambda e: sync.batcher.lambda_handler(e, _context())):
                    pass
                running = keeper.step(most=12)
                if not running and not due.receive_later() and not due.visible():
                    break
            cpu = time.process_time() - cpu
        items = _items(session, stack.refs["DataTable"])
        runs = [r for r in _items(session, stack.refs["DataTable"], "RUN") if "rounds" in r]
        finished = [i["finished_at"] for i in items if i.get("finished_at")]
        calls = [c for c in sandbox.calls if c.status != 429]
        from datetime import datetime

        last = max(datetime.fromisoformat(f).timestamp() for f in finished)
        return {
            "accounts": accounts,
            "items": len(items),
            "statuses": Counter(i["status"] for i in items),
            "reasons": Counter(i.get("reason") for i in items if i["status"] != "succeeded"),
            "calls": len(calls),
            "429s": len(sandbox.calls) - len(calls),
            "drain_seconds": last - began,
            "ideal_seconds": len(calls) * 60 / RATE,
            "cpu_per_1000_items": cpu / max(1, len(items)) * 1000,
            "runs": len(runs),
            "rounds": sum(int(r["rounds"]) for r in runs),
            "history_max": _history_max(session, stack.refs["RefreshStateMachine"]),
            **_pace([c.at for c in calls], began, last),
        }


def subscriptions(count: int, minutes: int) -> dict[str, Any]:
    """``count`` one_minute subscriptions (one account each) for ``minutes`` of ticks:
    demand far above the budget. Measured: the effective interval per subscription
    (time between its refreshes), how even it is, and that no item fails."""
    with _concurrent_stack() as (session, stack, refresh, keeper, patch):
        specs = [
            AccountSpec(
                f"acct-{i:05d}",
                f"cust-{i:05d}",
                scenario=Scenario(ready_after=20),
                initial_transactions=2,
                new_per_refresh=1,
            )
            for i in range(count)
        ]
        world = World(accounts=specs, requests_per_minute=PROVIDER_LIMIT, auto_refresh_seconds=None)
        sandbox = refresh.use(world, rate=RATE)
        with refresh.dispatcher.installed():
            sync = SyncHarness.build(session, stack, refresh, patch)
            bank = BankDataStore(stack.refs["DataTable"], session.client("dynamodb"))
            ids = []
            for spec in specs:
                bank.register_account(provider_account(spec), "2026-01-01T00:00:00.000Z")
                created = sync.subscribe(
                    {
                        "customer": spec.customer_id,
                        "products": ["balance"],
                        "interval": "one_minute",
                    }
                )
                ids.append(created["subscription_id"])
            schedules = [sync.schedule(sid) for sid in ids]
            due = QueuePump(
                session, stack.refs["DueRefreshQueue"], stack.attributes["DueRefreshQueue.Arn"]
            )
            began, cpu = refresh.clock.now, time.process_time()
            next_tick = began
            while refresh.clock.now < began + minutes * 60:
                if refresh.clock.now >= next_tick:
                    for schedule in schedules:
                        fire(session, schedule)
                    next_tick += 60
                while due.deliver(lambda e: sync.batcher.lambda_handler(e, _context())):
                    pass
                keeper.step(most=min(12, max(0.001, next_tick - refresh.clock.now)))
            cpu = time.process_time() - cpu
        items = _items(session, stack.refs["DataTable"])
        by_account: dict[str, list[float]] = {}
        from datetime import datetime

        for item in items:
            if item.get("finished_at") and item["status"] == "succeeded":
                moment = datetime.fromisoformat(item["finished_at"]).timestamp()
                by_account.setdefault(item["account_id"], []).append(moment)
        intervals = [
            (max(times) - min(times)) / (len(times) - 1)
            for times in by_account.values()
            if len(times) > 1
        ]
        refreshed = [len(by_account.get(spec.account_id, [])) for spec in specs]
        return {
            "items": len(items),
            "statuses": Counter(i["status"] for i in items),
            "429s": sum(1 for c in sandbox.calls if c.status == 429),
            "refreshes_per_subscription": (min(refreshed), max(refreshed)),
            "interval_minutes": (
                sum(intervals) / len(intervals) / 60 if intervals else float("nan"),
                min(intervals, default=0) / 60,
                max(intervals, default=0) / 60,
            ),
            "cpu": cpu,
        }


def _history_max(session: Any, machine: str) -> int:
    """The most history events any execution had (Step Functions allows 25,000)."""
    sfn = session.client("stepfunctions")
    most = 0
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=machine):
        for execution in page["executions"]:
            history = sfn.get_paginator("get_execution_history").paginate(
                executionArn=execution["executionArn"]
            )
            most = max(most, sum(len(p["events"]) for p in history))
    return most


def _pace(times: list[float], began: float, last: float) -> dict[str, float]:
    """Where the drain goes: calls a minute while the budget was busy (every whole
    minute from the first call until nine in ten calls were made), and the tail after."""
    times = sorted(times)
    if not times:
        return {"busy_rate": 0.0, "tail_seconds": 0.0, "start_seconds": 0.0}
    busy_until = times[int(len(times) * 0.9)]
    minutes = max(1.0, (busy_until - times[0]) / 60)
    busy = sum(1 for t in times if t <= busy_until)
    return {
        "busy_rate": busy / minutes,
        "tail_seconds": last - busy_until,
        "start_seconds": times[0] - began,
    }


def _items(session: boto3.Session, table: str, sk: str = "ITEM#") -> list[dict[str, Any]]:
    from banksync.dynamo import from_item

    found: list[dict[str, Any]] = []
    pages = (
        session.client("dynamodb")
        .get_paginator("scan")
        .paginate(
            TableName=table,
            FilterExpression="begins_with(sk, :item)",
            ExpressionAttributeValues={":item": {"S": sk}},
        )
    )
    for page in pages:
        found += [from_item(raw) for raw in page["Items"]]
    return found


def _context() -> Any:
    from devstack.lambdas import LambdaContext

    return LambdaContext()


def main() -> None:
    count = int(os.environ.get("BENCH_SUBSCRIPTIONS", "1000"))
    # At 25 items a minute a budget of 50 serves 1,000 subscriptions every ~40
    # minutes: 90 minutes see each refreshed at least twice, so an interval.
    minutes = int(os.environ.get("BENCH_MINUTES", "90"))
    if count:
        found = subscriptions(count, minutes)
        mean, low, high = found["interval_minutes"]
        fewest, most = found["refreshes_per_subscription"]
        print(f"{count:,} one_minute subscriptions for {minutes} minutes, budget {RATE}/min")
        print(f"  items: {found['items']:,} {dict(found['statuses'])}; 429s: {found['429s']}")
        if math.isnan(mean):
            print("  effective interval: not measured (no subscription was refreshed twice)")
        else:
            print(f"  effective interval: {mean:.1f} min on average ({low:.1f} to {high:.1f});")
        print(f"  refreshes per subscription: {fewest} to {most}")
    accounts = int(os.environ.get("BENCH_ACCOUNTS", "10000"))
    if not accounts:
        return
    result = sweep(accounts)
    print(
        f"the sweep over {accounts:,} accounts, every provider webhook lost, "
        f"provider limit {PROVIDER_LIMIT}/min, budget {RATE}/min"
    )
    print(f"  items: {result['items']:,} {dict(result['statuses'])}")
    print(f"  not succeeded, by reason: {dict(result['reasons']) or 'none'} (target 0)")
    print(f"  429s received: {result['429s']} (target 0)")
    ratio = result["drain_seconds"] / result["ideal_seconds"]
    print(
        f"  provider calls: {result['calls']:,}; drain {result['drain_seconds'] / 3600:.2f} h "
        f"vs calls ÷ budget {result['ideal_seconds'] / 3600:.2f} h: {ratio:.2f}x (target ≤ 1.15x)"
    )
    print(
        f"  pace: {result['busy_rate']:.1f} calls a minute until nine in ten were made "
        f"(budget {RATE}); then a tail of {result['tail_seconds'] / 60:.1f} min "
        f"(first call {result['start_seconds']:.0f} s after the sweep began)"
    )
    print(
        f"  poll rounds: {result['rounds']:,} over {result['runs']} executions "
        f"({result['rounds'] / max(1, result['calls']):.2f} per provider call); at most"
        f" {result['history_max']:,} history events in one execution (limit 1,000)"
    )
    print(f"  harness CPU: {result['cpu_per_1000_items']:.1f} s per 1,000 items")


if __name__ == "__main__":
    main()
