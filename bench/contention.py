"""First-class work under a budget a sweep keeps busy: what an on-demand refresh and a
woken item wait for.

A sweep over 60 accounts (120 items, webhooks delivered and trusted, data ready 20 s
after each refresh) runs against a sandbox enforcing 50 requests a minute, with
banksync's budget at 40 (windows of 15 s, 10 calls). While it runs, customers ask for
on-demand refreshes, 4 at once every 45 s (3 bursts). Real ASL in moto, every execution side by
side on one virtual clock (``tests.support.timekeeper``), the provider's webhooks
delivered through the push path. Printed: each on-demand run's wait from its request
to its first provider call (the target: within one budget window), ready → stored of
every item (the target with webhooks: max(2 s, 10 % of readiness)), 429s, and the
sweep's drain against its calls at the budget's rate.
"""

import json
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
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
from banksync.observability import logger, metrics  # noqa: E402
from devstack.lambdas import LambdaContext  # noqa: E402
from devstack.queues import QueuePump  # noqa: E402
from devstack.sandbox import AccountSpec, Scenario, World  # noqa: E402
from tests.support.push import PushHarness  # noqa: E402
from tests.support.sandbox import provider_account  # noqa: E402
from tests.support.stack import MOTO_CONFIG, provisioned_stack  # noqa: E402
from tests.support.sync import SyncHarness  # noqa: E402
from tests.support.timekeeper import TimeKeeper  # noqa: E402
from tests.support.workflow import RefreshHarness  # noqa: E402

PROVIDER_LIMIT, RATE = 50, 40
WINDOW_SECONDS = 15.0  # 10 calls at 40 a minute
READY_AFTER = 20
# On-demand refreshes come in bursts: customers asking at once, as a business's users do.
SWEPT, BURSTS, PER_BURST, EVERY = 60, 3, 4, 45.0
ON_DEMAND = BURSTS * PER_BURST


@contextmanager
def _stack() -> Iterator[tuple[boto3.Session, PushHarness, TimeKeeper]]:
    with mock_aws(config=MOTO_CONFIG), pytest.MonkeyPatch.context() as patch:
        session = boto3.Session(region_name="us-east-1")
        stack = provisioned_stack(session)
        stack.parameters["LogLevel"] = "ERROR"
        refresh = RefreshHarness(session, stack, patch)
        with refresh.dispatcher.installed():
            sync = SyncHarness.build(session, stack, refresh, patch)
            push = PushHarness.build(sync, patch, notifier=None)
            logger.setLevel("ERROR")
            yield session, push, TimeKeeper(refresh)


def contended() -> dict[str, Any]:
    scenario = Scenario(ready_after=READY_AFTER)
    swept = [
        AccountSpec(f"acct-{i:03d}", f"cust-{i // 2:03d}", scenario=scenario) for i in range(SWEPT)
    ]
    asked = [
        AccountSpec(f"acct-od-{n}", f"cust-od-{n}", scenario=scenario) for n in range(ON_DEMAND)
    ]
    with _stack() as (session, push, keeper):
        refresh, stack = push.sync.refresh, push.sync.stack
        world = World(
            accounts=swept + asked, requests_per_minute=PROVIDER_LIMIT, auto_refresh_seconds=None
        )
        sandbox = push.use(world)
        bank = push.bank()
        for spec in swept:
            bank.register_account(provider_account(spec), "2026-01-01T00:00:00.000Z")
        wake = refresh.modules["CallbackPollerFunction"].workflow.wake
        wake.record_hit(iso(refresh.now()))  # webhooks came before: they are trusted
        due = QueuePump(
            session, stack.refs["DueRefreshQueue"], stack.attributes["DueRefreshQueue.Arn"]
        )
        session.client("sqs").send_message(
            QueueUrl=stack.refs["DueRefreshQueue"], MessageBody=json.dumps({"kind": "all_accounts"})
        )
        sfn = session.client("stepfunctions")
        began = refresh.clock.now
        requested: dict[str, float] = {}
        while True:
            while due.deliver(lambda e: push.sync.batcher.lambda_handler(e, LambdaContext())):
                pass
            burst = len(requested) // PER_BURST
            if burst < BURSTS and refresh.clock.now >= began + EVERY * (burst + 1):
                for n in range(burst * PER_BURST, (burst + 1) * PER_BURST):
                    requested[f"cust-od-{n}"] = refresh.clock.now
                    request = {"refresh_id": f"od-{n}", "customer": f"cust-od-{n}"}
                    sfn.start_execution(
                        stateMachineArn=stack.refs["RefreshStateMachine"],
                        name=request["refresh_id"],
                        input=json.dumps({**request, "priority": "on_demand"}),
                    )
            push.settle()
            upcoming = [t for t in (sandbox.next_event_at(),) if t is not None]
            if len(requested) < ON_DEMAND:
                upcoming.append(began + EVERY * (len(requested) // PER_BURST + 1))
            most = min([5.0, *(max(0.001, t - refresh.clock.now) for t in upcoming)])
            running = keeper.step(most=most)
            push.settle()
            if (
                not running
                and len(requested) == ON_DEMAND
                and not due.receive_later()
                and not due.visible()
            ):
                break
        metrics.clear_metrics()  # the functions' metrics, not this bench's output
        items = _items(session, stack.refs["DataTable"])
        calls = [c for c in sandbox.calls if c.status != 429]
        first_calls = {
            customer: min(c.at for c in calls if c.customer_id == customer) - at
            for customer, at in requested.items()
        }
        fresh = []
        for item in items:
            record = sandbox.record(str(item.get("record_id")))
            if record is None or not item.get("finished_at"):
                continue
            fresh.append(datetime.fromisoformat(item["finished_at"]).timestamp() - record.ready_at)
        swept_finished = [
            datetime.fromisoformat(i["finished_at"]).timestamp()
            for i in items
            if i.get("finished_at") and not str(i["account_id"]).startswith("acct-od")
        ]
        return {
            "items": len(items),
            "succeeded": sum(1 for i in items if i["status"] == "succeeded"),
            "429s": len(sandbox.calls) - len(calls),
            "first_calls": sorted(first_calls.values()),
            "fresh": sorted(fresh),
            "calls": len(calls),
            "drain": max(swept_finished) - began,
            "ideal": len(calls) * 60 / RATE,
        }


def _items(session: boto3.Session, table: str) -> list[dict[str, Any]]:
    from banksync.dynamo import from_item

    pages = (
        session.client("dynamodb")
        .get_paginator("scan")
        .paginate(
            TableName=table,
            FilterExpression="begins_with(sk, :item)",
            ExpressionAttributeValues={":item": {"S": "ITEM#"}},
        )
    )
    return [from_item(raw) for page in pages for raw in page["Items"]]


def main() -> None:
    found = contended()
    target = max(2.0, READY_AFTER / 10)
    first, fresh = found["first_calls"], found["fresh"]
    print(
        f"a sweep of {SWEPT} accounts (webhooks delivered, ready after {READY_AFTER} s) with"
        f" {BURSTS} bursts of {PER_BURST} on-demand refreshes during it, {EVERY:.0f} s apart;"
        f" provider limit {PROVIDER_LIMIT}/min, budget {RATE}/min (windows of"
        f" {WINDOW_SECONDS:.0f} s)"
    )
    print(f"  items: {found['succeeded']}/{found['items']} succeeded; 429s: {found['429s']}")
    within = sum(1 for w in first if w <= WINDOW_SECONDS)
    print(
        f"  on-demand request → first provider call: median {first[len(first) // 2]:.1f} s,"
        f" max {first[-1]:.1f} s; {within}/{len(first)} within one window (target: all)"
    )
    near = sum(1 for f in fresh if f <= target)
    print(
        f"  ready → stored: median {fresh[len(fresh) // 2]:.1f} s, max {fresh[-1]:.1f} s;"
        f" {near}/{len(fresh)} within {target:.0f} s (target: all)"
    )
    print(
        f"  sweep drain {found['drain']:.0f} s vs calls ÷ budget {found['ideal']:.0f} s:"
        f" {found['drain'] / found['ideal']:.2f}x ({found['calls']} calls)"
    )


if __name__ == "__main__":
    main()
