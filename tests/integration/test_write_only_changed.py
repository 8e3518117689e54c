"""A refresh writes only what changed, and what that costs in DynamoDB write units.

The steady state: each account's provider listing holds every row again, of
which three are new and three changed (pending rows that posted); the
balance moved. Capacity is counted on the task functions' own clients as
DynamoDB bills it (``tests.support.capacity``); the DataTable's stream shows
which items were written.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from banksync.bankdata.freshness import AccountFreshness
from banksync.bankdata.store import BankDataStore
from devstack.sandbox import AccountSpec, Scenario, World
from devstack.streams import StreamPump
from devstack.template import StackTemplate
from tests.support.capacity import CapacityMeter
from tests.support.delivery import HOOK, Delivering
from tests.support.lambdas import invoke
from tests.support.sandbox import provider_account
from tests.support.workflow import RefreshHarness

ACCOUNTS = 4
READY_AFTER = 20
NEW = CHANGED = 3  # per account and refresh (AccountSpec.new_per_refresh)
REGISTERED_AT = "2026-11-01T00:00:00.000Z"


@dataclass
class Measured:
    meter: CapacityMeter
    records: list[dict[str, Any]]  # the DataTable's stream records of the refresh
    polled: dict[str, Any]

    def written(self, prefix: str) -> Counter[str]:
        """Stream records by item key (``pk sk``) of the items whose sort key starts so."""
        keys = [record["dynamodb"]["Keys"] for record in self.records]
        return Counter(
            f"{key['pk']['S']} {key['sk']['S']}"
            for key in keys
            if key["sk"]["S"].startswith(prefix)
        )


def refresh_once(refresh: RefreshHarness, refresh_id: str) -> dict[str, Any]:
    """One scheduled batch through the task functions: start, wait, one poll."""
    assert refresh.sandbox is not None
    items = [
        {"account_id": spec.account_id, "product": product, "customer_id": spec.customer_id}
        for spec in refresh.sandbox.world.accounts
        for product in ("balance", "transactions")
    ]
    invoke(refresh.modules["RefreshStarterFunction"], {"refresh_id": refresh_id, "items": items})
    refresh.clock.advance(READY_AFTER + 1)
    polled = invoke(refresh.modules["CallbackPollerFunction"], {"refresh_id": refresh_id})
    assert polled["done"], polled
    return polled


def task_clients(refresh: RefreshHarness) -> list[Any]:
    found = []
    for module in refresh.modules.values():
        workflow = module.workflow
        found += [workflow.runs._client, workflow.steps.bank._client]
        if workflow.steps.budget is not None:
            found.append(workflow.steps.budget._client)
    return found


@pytest.fixture
def steady(refresh: RefreshHarness, aws: boto3.Session, stack: StackTemplate) -> Measured:
    """The second refresh of every registered account (the first loads its history)."""
    specs = [
        AccountSpec(f"acct-{n}", f"cust-{n}", scenario=Scenario(ready_after=READY_AFTER))
        for n in range(ACCOUNTS)
    ]
    refresh.use(World(accounts=specs, requests_per_minute=100_000))
    bank = refresh.modules["RefreshStarterFunction"].workflow.steps.bank
    for spec in specs:
        bank.register_account(provider_account(spec), REGISTERED_AT)
    refresh_once(refresh, "r-first")
    stream = StreamPump(aws, stack.attributes["DataTable.StreamArn"], start_at_latest=True)
    meter = CapacityMeter()
    with meter.watching(*task_clients(refresh)):
        polled = refresh_once(refresh, "r-second")
    return Measured(meter, stream.poll(), polled)


def test_rows_listed_again_unchanged_are_never_written_again(steady: Measured) -> None:
    assert steady.polled["counts"] == {"succeeded": 2 * ACCOUNTS}
    rows = steady.written("TXN#")
    assert len(rows) == (NEW + CHANGED) * ACCOUNTS, "only new and changed rows are written"
    assert set(rows.values()) == {1}, "each of them once"
    assert steady.meter.written("transaction") == (NEW + CHANGED) * ACCOUNTS
    assert len(steady.written("CHANGE#")) == (NEW + CHANGED) * ACCOUNTS  # the feed has each
    changes = Counter(
        r["dynamodb"]["NewImage"]["change"]["S"]
        for r in steady.records
        if r["dynamodb"]["Keys"]["sk"]["S"].startswith("TXN#")
    )
    assert changes == {"added": NEW * ACCOUNTS, "modified": CHANGED * ACCOUNTS}


def test_an_item_is_written_once_started_and_once_finished(steady: Measured) -> None:
    items = [r for r in steady.records if r["dynamodb"]["Keys"]["sk"]["S"].startswith("ITEM#")]
    seen: dict[str, list[tuple[str, str]]] = {}
    for record in items:
        key = record["dynamodb"]["Keys"]["sk"]["S"]
        status = record["dynamodb"]["NewImage"]["status"]["S"]
        seen.setdefault(key, []).append((record["eventName"], status))
    assert len(seen) == 2 * ACCOUNTS
    # No pending write before the started one; the stream still shows the terminal status.
    assert set(map(tuple, seen.values())) == {(("INSERT", "started"), ("MODIFY", "succeeded"))}


def test_a_round_marks_each_account_fresh_in_one_write(steady: Measured) -> None:
    assert steady.meter.written("account profile") == ACCOUNTS
    profiles = steady.written("PROFILE")
    assert len(profiles) == ACCOUNTS
    assert set(profiles.values()) == {1}


def test_a_round_takes_its_provider_calls_from_the_budget_in_one_write(
    steady: Measured,
) -> None:
    """Eight items started, then eight polled: one window write per round, not per call."""
    assert steady.meter.written("budget window") == 2


def test_steady_state_write_units_per_item(steady: Measured) -> None:
    """The figure the cost work tracks (printed with ``-s``); the floor of each part:
    a changed row is two items (row, feed entry) written in a transaction (twice
    the units) plus its date index; an item two writes plus its record index; a
    balance its history and its latest; a profile one write with its two indexes."""
    items = 2 * ACCOUNTS
    meter = steady.meter
    per_item = {kind: units / items for kind, units in sorted(meter.write_units.items())}
    print(f"\nwrite units per item {meter.writes / items:.2f}: {per_item}")
    print(f"read units per item {meter.reads / items:.2f}: {dict(meter.read_units)}")
    changes = (NEW + CHANGED) * ACCOUNTS
    assert meter.write_units["transaction"] == 2 * changes
    assert meter.write_units["feed entry"] == 2 * changes
    assert meter.write_units["refresh item"] == 2 * items
    assert meter.write_units["account profile"] == ACCOUNTS


def test_a_retried_start_neither_starts_nor_rewrites_stored_items(
    refresh: RefreshHarness, aws: boto3.Session, stack: StackTemplate
) -> None:
    sandbox = refresh.use(World(accounts=[AccountSpec("acct-r", "cust-r")]))
    event = {
        "refresh_id": "r-retried",
        "items": [{"account_id": "acct-r", "product": "balance", "customer_id": "cust-r"}],
    }
    invoke(refresh.modules["RefreshStarterFunction"], event)
    calls = len(sandbox.calls)
    stream = StreamPump(aws, stack.attributes["DataTable.StreamArn"], start_at_latest=True)
    again = invoke(refresh.modules["RefreshStarterFunction"], event)
    assert again["counts"] == {"started": 1}
    assert len(sandbox.calls) == calls, "a started item is never started again"
    assert not [r for r in stream.poll() if r["dynamodb"]["Keys"]["sk"]["S"].startswith("ITEM#")]


def test_a_start_that_fails_part_way_still_records_every_item(
    refresh: RefreshHarness,
) -> None:
    """Items are first written as the round leaves them: one that fails before it
    reaches them writes them pending, so the abort that follows fails each one."""
    refresh.use(World(accounts=[AccountSpec(f"acct-{n}", "cust-f") for n in range(3)]))
    workflow = refresh.modules["RefreshStarterFunction"].workflow
    event = {
        "refresh_id": "r-broken",
        "items": [
            {"account_id": f"acct-{n}", "product": "balance", "customer_id": "cust-f"}
            for n in range(3)
        ],
    }
    asked: list[int] = []

    def remaining() -> int:
        asked.append(1)
        if len(asked) > 1:
            raise RuntimeError("the second item's round fails")
        return 900_000

    with pytest.raises(RuntimeError):
        workflow.start(event, remaining=remaining)
    stored = Counter(str(i.status) for i in workflow.runs.items("r-broken"))
    assert stored == {"started": 1, "pending": 2}
    workflow.abort("r-broken", {"Error": "Lambda.Unknown", "Cause": "boom"})
    assert [str(i.status) for i in workflow.runs.items("r-broken")] == ["failed"] * 3


def test_marks_move_together_or_each_on_its_own(aws: boto3.Session, stack: StackTemplate) -> None:
    table, client = stack.refs["DataTable"], aws.client("dynamodb")
    bank = BankDataStore(table, client)
    bank.register_account(provider_account(AccountSpec("acct-m", "cust-m")), REGISTERED_AT)
    freshness = AccountFreshness(table, client)
    both = {"balance": "2026-11-02T00:00:00+00:00", "transactions": "2026-11-02T00:00:00+00:00"}
    assert freshness.mark_synced_together("acct-m", both) == ["balance", "transactions"]
    # The balance is newer already (a pushed update stored it): only transactions move.
    freshness.mark_synced("acct-m", "balance", "2026-11-05T00:00:00+00:00")
    later = {"balance": "2026-11-03T00:00:00+00:00", "transactions": "2026-11-03T00:00:00+00:00"}
    assert freshness.mark_synced_together("acct-m", later) == ["transactions"]
    profile = bank.account("acct-m") or {}
    assert profile["balance_synced_at"] == "2026-11-05T00:00:00+00:00"
    assert profile["transactions_synced_at"] == "2026-11-03T00:00:00+00:00"
    assert freshness.mark_synced_together("acct-unknown", later) == []
    assert bank.account("acct-unknown") is None, "an unknown account is never created"


class Throttling:
    """A DynamoDB client whose first BatchGetItem leaves half its keys unprocessed, as
    DynamoDB does when a request is over its size or throughput limit."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: Counter[str] = Counter()

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        self.calls["batch_get_item"] += 1
        if self.calls["batch_get_item"] > 1:
            return dict(self._client.batch_get_item(RequestItems=RequestItems))
        ((table, request),) = RequestItems.items()
        half = len(request["Keys"]) // 2
        answer = dict(
            self._client.batch_get_item(
                RequestItems={table: {**request, "Keys": request["Keys"][:half]}}
            )
        )
        answer["UnprocessedKeys"] = {table: {**request, "Keys": request["Keys"][half:]}}
        return answer

    def __getattr__(self, name: str) -> Any:
        def counted(**kwargs: Any) -> Any:
            self.calls[name] += 1
            return getattr(self._client, name)(**kwargs)

        return counted


def test_rows_dynamodb_left_unprocessed_are_read_again_not_rewritten(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    table, client = stack.refs["DataTable"], aws.client("dynamodb")
    spec = AccountSpec("acct-u", "cust-u")
    rows = spec.transactions(refreshes=1)
    BankDataStore(table, client).save_transactions("acct-u", rows, "2026-11-02T00:00:00+00:00")
    throttled = Throttling(client)
    again = BankDataStore(table, throttled)
    assert again.save_transactions("acct-u", rows, "2026-11-03T00:00:00+00:00") == (0, 0)
    assert throttled.calls["batch_get_item"] == 2, "the unprocessed keys were asked again"
    assert "transact_write_items" not in throttled.calls, "no unchanged row was written"


def test_an_item_its_start_finished_is_written_once_and_still_told(
    delivering: Delivering,
) -> None:
    """Written once, at its terminal status (INSERT): the notifier still sees it end."""
    sync = delivering.sync
    spec = AccountSpec("acct-1", "cust-1", scenario=Scenario(reauth_required=True))
    sync.refresh.use(World(accounts=[spec]))
    bank = BankDataStore(sync.stack.refs["DataTable"], sync.aws.client("dynamodb"))
    bank.register_account(provider_account(spec), REGISTERED_AT)
    created = sync.subscribe({"customer": "cust-1", "products": ["balance"], "webhook_url": HOOK})
    delivering.subscriber.secret = created["signing_secret"]
    stream = StreamPump(sync.aws, sync.stack.attributes["DataTable.StreamArn"])
    sync.fire(created["subscription_id"])
    sync.deliver_due_work()
    (execution,) = sync.executions()
    sync.refresh.finish(execution["name"])
    items = [
        (r["eventName"], r["dynamodb"]["NewImage"]["status"]["S"])
        for r in stream.poll()
        if r["dynamodb"]["Keys"]["sk"]["S"].startswith("ITEM#")
    ]
    assert items == [("INSERT", "reauth_required")]
    delivering.pump_data_stream()
    delivering.deliver_until_done()
    told = [r["payload"]["type"] for r in delivering.subscriber.received]
    assert told == ["balance.reauth_required"]
