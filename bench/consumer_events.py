"""What the consumer side's domain events cost per million transaction changes, measured.

Refreshes are written through the real stores into moto (a balance and some
new transactions per account, the run finishing), and the DataTable stream
goes through the template's own Pipe as the offline stack runs it: its
filter, batches of its BatchSize, the real enrichment function, the event
bus. Counted: stream records, those the filter lets through (each a Pipe
request per 64 KB), enrichment invocations and their time in this process,
events put (each 64 KB a billed event), and the DynamoDB writes the event
path itself makes. As Lambda's event source mappings do, the pump filters
before it batches. Prices: us-east-1 list prices.
"""

import json
import math
import os
import time
import warnings
from typing import Any

from tests.support.stack import use_offline_environment

use_offline_environment()
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
warnings.filterwarnings("ignore", "No application metrics to publish")

import boto3  # noqa: E402
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from banksync.bankdata.store import BankDataStore  # noqa: E402
from banksync.provider.model import ProviderAccount  # noqa: E402
from banksync.refresh.model import RefreshRun, RunStatus  # noqa: E402
from banksync.refresh.runs import RefreshRunStore  # noqa: E402
from devstack.lambdas import LambdaContext  # noqa: E402
from devstack.pipes import pipes_for  # noqa: E402
from tests.support.lambdas import cold_start  # noqa: E402
from tests.support.stack import MOTO_CONFIG, provisioned_stack  # noqa: E402

ACCOUNTS = int(os.environ.get("BENCH_EVENT_ACCOUNTS", "50"))
PRICES = {  # USD per unit
    "Pipe requests": 0.40 / 1e6,
    "Lambda requests": 0.20 / 1e6,
    "Lambda GB-seconds (arm64)": 0.0000166667 * 0.8,
    "EventBridge events": 1.00 / 1e6,
    "DynamoDB write units": 0.625 / 1e6,
}
MEMORY_GB = 0.25
CHUNK = 64 * 1024
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


def okra_row(account: int, n: int) -> dict[str, Any]:
    return {
        "_id": f"txn-{account}-{n}",
        "trans_date": "2026-12-02T10:00:00.000Z",
        "debit": 1250.5 + n,
        "currency": "NGN",
        "notes": {"desc": f"POS purchase {n} at a merchant"},
        "ref": f"ref-{account}-{n}",
    }


class WriteMeter:
    """DynamoDB write units of every request: 1 per KB written, 2 in a transaction."""

    def __init__(self) -> None:
        self.units = 0

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.service_model.service_name != "dynamodb" or model.name not in WRITES:
            return
        if model.name == "TransactWriteItems":
            for action in params["TransactItems"]:
                ((_, request),) = action.items()
                self.units += 2 * _units(request)
        else:
            self.units += _units(params)


def _units(request: dict[str, Any]) -> int:
    written = request.get("Item") or {
        **request.get("Key", {}),
        **request.get("ExpressionAttributeValues", {}),
    }
    return max(1, math.ceil(len(json.dumps(written)) / 1024))


def measure(new_per_account: int) -> dict[str, float]:
    """One scheduled refresh of ACCOUNTS accounts, ``new_per_account`` new transactions each."""
    meter = WriteMeter()
    with mock_aws(config=MOTO_CONFIG), pytest.MonkeyPatch.context() as patch:
        boto3.setup_default_session(region_name="us-east-1")  # the functions' clients
        boto3.DEFAULT_SESSION.events.register("before-parameter-build", meter)  # type: ignore[union-attr]
        session = boto3.Session(region_name="us-east-1")
        session.events.register("before-parameter-build", meter)
        stack = provisioned_stack(session)
        enricher = cold_start(stack, "EventEnricherFunction", patch)
        (pipe,) = pipes_for(stack, session)
        table, client = stack.refs["DataTable"], session.client("dynamodb")
        store, runs = BankDataStore(table, client), RefreshRunStore(table, client)
        for i in range(ACCOUNTS):
            store.register_account(
                ProviderAccount(f"acct-{i}", f"cust-{i}", "bank", "Bank", "0", "Main", "NGN"),
                "2026-12-01T00:00:00.000Z",
            )
        run = RefreshRun("rs_bench", "2026-12-03T08:00:00.000Z", "2026-12-03T08:15:00.000Z")
        runs.create_run(run)
        # Everything above is before the measured refresh; the stream is read from here.
        pull, records = pipe.pull, []
        pull()

        def counted_pull() -> list[dict[str, Any]]:
            found = pull()
            records.extend(found)
            return found

        pipe.pull = counted_pull
        meter.units = 0
        for i in range(ACCOUNTS):
            store.save_balance(
                f"acct-{i}",
                {"ledger_balance": 7489.42 + i, "available_balance": 7000, "currency": "NGN"},
                "2026-12-03T08:00:00.000Z",
                "2026-12-03T08:00:30.000Z",
            )
            rows = [okra_row(i, n) for n in range(new_per_account)]
            store.save_transactions(f"acct-{i}", rows, "2026-12-03T08:00:00.000Z")
        run.status, run.counts = RunStatus.COMPLETED, {"succeeded": 2 * ACCOUNTS}
        run.finished_at = "2026-12-03T08:01:00.000Z"
        runs.save_run(run)
        write_path_units, meter.units = meter.units, 0

        batches: list[int] = []
        seconds = [0.0]
        put: list[int] = []

        def enrich(_: str, batch: list[dict[str, Any]]) -> Any:
            batches.append(math.ceil(len(json.dumps(batch)) / CHUNK))
            started = time.perf_counter()
            answer = enricher.lambda_handler(batch, LambdaContext(function_name="EventEnricher"))
            seconds[0] += max(time.perf_counter() - started, 0.001)  # Lambda bills whole ms
            put.extend(math.ceil(len(json.dumps(d)) / CHUNK) for d in answer)
            return answer

        events = session.client("events")
        while True:
            before = len(records)
            pipe.run_once(enrich, events)
            if len(records) == before:
                break
        passed = sum(math.ceil(len(json.dumps(r)) / CHUNK) for r in records if pipe.wanted(r))
    return {
        "changes": ACCOUNTS * new_per_account,
        "stream records": len(records),
        "Pipe requests": passed,
        "Lambda requests": len(batches),
        "Lambda GB-seconds (arm64)": MEMORY_GB * seconds[0],
        "EventBridge events": sum(put),
        "DynamoDB write units": meter.units,  # by the event path itself
        "write path units": write_path_units,
    }


def main() -> None:
    for new in (15, 1):
        usage = measure(new)
        per_million = 1e6 / usage["changes"]
        print(
            f"domain events per million transaction changes: {ACCOUNTS} accounts refreshed, "
            f"{new} new transaction(s) each, a balance each, one run finishing "
            f"({usage['stream records']:.0f} stream records)"
        )
        total = 0.0
        for part, price in PRICES.items():
            cost = usage[part] * price * per_million
            total += cost
            print(f"  {part:<28} {usage[part] * per_million:>12,.0f} per million  ${cost:>8.2f}")
        print(f"  {'total':<28} {'':>12}              ${total:>8.2f}")
        units = usage["write path units"] / usage["changes"]
        print(
            f"  (the refresh's own writes: {units:.1f} DynamoDB write units per change, "
            f"${units * PRICES['DynamoDB write units'] * 1e6:.2f} per million; the same "
            f"without events)"
        )


if __name__ == "__main__":
    main()
