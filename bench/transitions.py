"""State transitions of one refresh execution, for a batch of 1 and of 50 items.

Standard workflows are billed per state transition, so a batch must cost what
a single item costs. Both batches run the real ASL in moto against the
sandbox, same scenario (every callback ready 60 s after its refresh), on
virtual time; the count comes from each execution's history.
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


def run_batches() -> dict[int, Execution]:
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
        return {
            size: harness.run({"refresh_id": f"bench-{size}", "items": items})
            for size, items in batches.items()
        }


def main() -> None:
    print("state transitions per refresh execution (callbacks ready after 60 s)")
    for size, execution in run_batches().items():
        per_item = PRICE_PER_TRANSITION * execution.transitions / size * 1_000_000
        print(
            f"  batch of {size:2d}: {execution.transitions} transitions, {execution.status}, "
            f"${per_item:,.2f} of transitions per million item refreshes"
        )


if __name__ == "__main__":
    main()
