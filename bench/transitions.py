"""State transitions and history events of one refresh execution.

Standard workflows are billed per state transition, so a batch must cost what
a single item costs: batches of 1 and 50 run the real ASL in moto against the
sandbox, same scenario (every callback ready 60 s after its refresh), on
virtual time; the count comes from each execution's history. An execution
has at most 25,000 history events: a batch of 50 whose budget binds hard (10
calls a minute, its webhooks lost) must stay far below: at most 1,000.
"""

import os
import warnings

from tests.support.stack import use_offline_environment

use_offline_environment()
os.environ["POWERTOOLS_METRICS_DISABLED"] = (
    "true"  # the functions' EMF lines would drown the result
)
# A poll round that finishes no item publishes no metric; Powertools says so.
warnings.filterwarnings("ignore", "No application metrics to publish")

import boto3  # noqa: E402
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from devstack.sandbox import AccountSpec, Scenario, World  # noqa: E402
from tests.support.stack import MOTO_CONFIG, provisioned_stack  # noqa: E402
from tests.support.workflow import Execution, RefreshHarness  # noqa: E402

PRICE_PER_TRANSITION = 25 / 1_000_000  # USD, Standard workflows, us-east-1


def run_batches() -> dict[str, Execution]:
    accounts = [f"acct-{i:02d}" for i in range(25)]
    world = World(
        accounts=[AccountSpec(a, "cust-1", scenario=Scenario(ready_after=60)) for a in accounts],
        requests_per_minute=10_000,
    )
    batches = {
        1: [{"account_id": accounts[0], "product": "balance"}],
        50: [
            {"account_id": a, "product": p} for a in accounts for p in ("balance", "transactions")
        ],
    }
    with mock_aws(config=MOTO_CONFIG), pytest.MonkeyPatch.context() as patch:
        session = boto3.Session(region_name="us-east-1")
        stack = provisioned_stack(session)
        stack.parameters["LogLevel"] = "WARNING"  # the functions' logs would drown the result
        harness = RefreshHarness(session, stack, patch)
        harness.use(world)
        runs = {
            f"batch of {size:2d}": harness.run({"refresh_id": f"bench-{size}", "items": items})
            for size, items in batches.items()
        }
        bound = World(
            accounts=[
                AccountSpec(a, "cust-1", scenario=Scenario(ready_after=60, webhook="never"))
                for a in accounts
            ],
            requests_per_minute=20,
        )
        harness.use(bound, rate=10)
        runs["batch of 50, budget 10 a minute, webhooks lost"] = harness.run(
            {"refresh_id": "bench-bound", "items": batches[50], "deadline_seconds": 600}
        )
        return runs


def main() -> None:
    print("state transitions and history events per refresh execution (ready after 60 s)")
    for name, execution in run_batches().items():
        size = 1 if name.endswith(" 1") else 50
        per_item = PRICE_PER_TRANSITION * execution.transitions / size * 1_000_000
        print(
            f"  {name}: {execution.transitions} transitions, {len(execution.history)} history"
            f" events (limit 1,000), {execution.status}, ${per_item:,.2f} of transitions"
            " per million item refreshes"
        )


if __name__ == "__main__":
    main()
