"""What a million item refreshes cost on the scheduled path, from counted usage.

100 subscriptions (one account each, balance and transactions: 200 items) are
made due, batched and refreshed by the real state machine in moto, on virtual
time, against the sandbox (callbacks ready after 60 s). The second tick is
measured, the steady state (the first loads each account's history). Counted:
scheduler ticks, SQS requests, state transitions, Lambda invocations, provider
calls, and DynamoDB capacity units from the size of what each request writes.
Lambda time is modelled as 150 ms per provider call (the network wait
dominates) plus 20 ms per invocation. Prices: us-east-1 list prices.
"""

import json
import math
import os
import warnings
from collections import Counter
from typing import Any

from tests.support.stack import use_offline_environment

use_offline_environment()
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
warnings.filterwarnings("ignore", "No application metrics to publish")

import boto3  # noqa: E402
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from devstack.sandbox import AccountSpec, Scenario, World  # noqa: E402
from tests.support.sandbox import provider_account  # noqa: E402
from tests.support.stack import MOTO_CONFIG, provisioned_stack  # noqa: E402
from tests.support.sync import SyncHarness  # noqa: E402
from tests.support.workflow import RefreshHarness  # noqa: E402

SUBSCRIPTIONS = 100
PRICES = {  # USD per unit
    "scheduler invocations": 1.00 / 1e6,
    "SQS requests": 0.40 / 1e6,
    "state transitions": 25.0 / 1e6,
    "Lambda requests": 0.20 / 1e6,
    "Lambda GB-seconds (arm64)": 0.0000166667 * 0.8,
    "DynamoDB write units": 0.625 / 1e6,
    "DynamoDB read units": 0.125 / 1e6,
}
MEMORY_GB = 0.25
SECONDS_PER_PROVIDER_CALL, SECONDS_PER_INVOCATION = 0.150, 0.020
WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
READS = {"GetItem", "Query"}


class Meter:
    """Counts AWS requests made by every client of the default boto3 session."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.write_units = self.read_units = 0.0

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        service, operation = model.service_model.service_name, model.name
        self.calls[f"{service}.{operation}"] += 1
        if service == "dynamodb" and operation in WRITES:
            written = params.get("Item") or {
                **params.get("Key", {}),
                **params.get("ExpressionAttributeValues", {}),
            }
            self.write_units += math.ceil(_item_bytes(written) / 1024)
        if service == "dynamodb" and operation in READS:
            self.read_units += 0.5 if not params.get("ConsistentRead") else 1.0

    def reset(self) -> None:
        self.calls.clear()
        self.write_units = self.read_units = 0.0

    def count(self, service: str) -> int:
        return sum(n for name, n in self.calls.items() if name.startswith(f"{service}."))


def measure() -> dict[str, float]:
    meter = Meter()
    specs = [
        AccountSpec(f"acct-{i:03d}", f"cust-{i:03d}", scenario=Scenario(ready_after=60))
        for i in range(SUBSCRIPTIONS)
    ]
    with mock_aws(config=MOTO_CONFIG), pytest.MonkeyPatch.context() as patch:
        # Inside the mock: starting it resets boto3's default session. Every
        # function's client comes from the default session, the pumps' from this one.
        boto3.setup_default_session(region_name="us-east-1")
        boto3.DEFAULT_SESSION.events.register("before-parameter-build", meter)  # type: ignore[union-attr]
        session = boto3.Session(region_name="us-east-1")
        session.events.register(
            "before-parameter-build", meter
        )  # the queue pump: Lambda's SQS polling
        stack = provisioned_stack(session)
        stack.parameters["LogLevel"] = "WARNING"
        refresh = RefreshHarness(session, stack, patch)
        sandbox = refresh.use(World(accounts=specs, requests_per_minute=100_000))
        with refresh.dispatcher.installed():
            sync = SyncHarness.build(session, stack, refresh, patch)
            bank = sync.refresh.modules["RefreshStarterFunction"].workflow.steps.bank
            subscriptions = []
            for spec in specs:
                bank.register_account(provider_account(spec), "2026-11-01T00:00:00.000Z")
                created = sync.subscribe(
                    {"customer": spec.customer_id, "products": ["balance", "transactions"]}
                )
                subscriptions.append(created["subscription_id"])
            started: set[str] = set()
            for _ in range(2):  # the second tick is the one measured
                for sid in subscriptions:
                    sync.fire(sid)
                meter.reset()
                invoked, called = len(refresh.dispatcher.invocations), len(sandbox.calls)
                sync.deliver_due_work()
                (new,) = {e["name"] for e in sync.executions()} - started
                started.add(new)
                finished = refresh.finish(new)
    invocations = len(refresh.dispatcher.invocations) - invoked + 1  # + the batcher
    provider_calls = len(sandbox.calls) - called
    return {
        "items": SUBSCRIPTIONS * 2,
        "scheduler invocations": SUBSCRIPTIONS,
        "SQS requests": SUBSCRIPTIONS + meter.count("sqs"),
        "state transitions": finished.transitions,
        "Lambda requests": invocations,
        "Lambda GB-seconds (arm64)": MEMORY_GB
        * (provider_calls * SECONDS_PER_PROVIDER_CALL + invocations * SECONDS_PER_INVOCATION),
        "DynamoDB write units": meter.write_units,
        "DynamoDB read units": meter.read_units,
        "provider calls": provider_calls,
    }


def _item_bytes(attributes: dict[str, Any]) -> int:
    """Roughly DynamoDB's item size: names plus values, without the type wrappers."""
    return sum(
        len(name) + len(json.dumps(value, default=str)) - 8 for name, value in attributes.items()
    )


def main() -> None:
    usage = measure()
    per_million = 1e6 / usage["items"]
    print(
        f"cost per million item refreshes, scheduled path, measured on a batch of "
        f"{int(usage['items'])} items ({SUBSCRIPTIONS} subscriptions, callbacks ready after 60 s)"
    )
    total = 0.0
    for part, price in PRICES.items():
        cost = usage[part] * price * per_million
        total += cost
        print(f"  {part:<28} {usage[part]:>9.1f} per batch  ${cost:>8.2f}")
    print(f"  {'total':<28} {'':>9}            ${total:>8.2f}")
    print(
        f"  ({usage['provider calls']:.0f} provider calls per batch; "
        f"a Lambda sleeping 60 s per refresh would cost ~$100 per million)"
    )


if __name__ == "__main__":
    main()
