"""The real refresh state machine, executed by moto, against the sandbox."""

from itertools import pairwise
from typing import Any

import boto3
import pytest

from banksync.bankdata.store import BankDataStore
from banksync.refresh.runs import RefreshRunStore
from devstack.sandbox import AccountSpec, Scenario, World
from devstack.template import StackTemplate
from tests.support.workflow import RefreshHarness

CUSTOMER = "cust-1"


def one_account(scenario: Scenario, **world: Any) -> World:
    return World(accounts=[AccountSpec("acct-0", CUSTOMER, scenario=scenario)], **world)


def items(*accounts: str, products: tuple[str, ...] = ("balance", "transactions")) -> list[Any]:
    return [
        {"account_id": a, "product": p, "customer_id": CUSTOMER} for a in accounts for p in products
    ]


@pytest.fixture
def runs(aws: boto3.Session, stack: StackTemplate) -> RefreshRunStore:
    return RefreshRunStore(stack.refs["DataTable"], aws.client("dynamodb"))


@pytest.fixture
def bank(aws: boto3.Session, stack: StackTemplate) -> BankDataStore:
    return BankDataStore(stack.refs["DataTable"], aws.client("dynamodb"))


def statuses(runs: RefreshRunStore, refresh_id: str) -> dict[str, str]:
    return {f"{i.account_id}/{i.product}": str(i.status) for i in runs.items(refresh_id)}


def test_ready_after_several_polls_stores_balance_and_transactions(
    refresh: RefreshHarness, runs: RefreshRunStore, bank: BankDataStore
) -> None:
    sandbox = refresh.use(one_account(Scenario(ready_after=100)))
    execution = refresh.run({"refresh_id": "r-ready", "items": items("acct-0")})

    assert execution.status == "SUCCEEDED"
    assert statuses(runs, "r-ready") == {
        "acct-0/balance": "succeeded",
        "acct-0/transactions": "succeeded",
    }
    assert execution.waits == [30, 15, 30, 60]  # initial wait, then capped backoff
    assert len(sandbox.calls_to("/callback")) >= 6  # several polls before ready
    balance = bank.latest_balance("acct-0")
    assert balance is not None
    assert balance["ledger_balance"] == sandbox.world.accounts[0].balance(1)["ledger_balance"]
    assert len(bank.transactions("acct-0")) == 15
    run = runs.run("r-ready")
    assert run is not None
    assert (str(run.status), run.counts) == ("completed", {"succeeded": 2})


def test_the_published_in_progress_answer_waits_instead_of_storing_empty_data(
    refresh: RefreshHarness, runs: RefreshRunStore, bank: BankDataStore
) -> None:
    refresh.use(one_account(Scenario(ready_after=100, not_ready_shape="in_progress")))
    execution = refresh.run({"refresh_id": "r-running", "items": items("acct-0")})

    assert execution.status == "SUCCEEDED"
    assert len(execution.waits) > 1  # the first polls found the process still running
    assert set(statuses(runs, "r-running").values()) == {"succeeded"}
    balance = bank.latest_balance("acct-0")
    assert balance is not None
    assert balance["ledger_balance"] is not None
    assert len(bank.transactions("acct-0")) == 15


def test_the_first_wait_is_the_initial_wait(refresh: RefreshHarness) -> None:
    refresh.use(one_account(Scenario(ready_after=3)))
    execution = refresh.run(
        {"refresh_id": "r-quick", "items": items("acct-0"), "initial_wait_seconds": 5}
    )
    assert execution.waits == [5]


def test_never_ready_times_out_at_the_deadline(
    refresh: RefreshHarness, runs: RefreshRunStore
) -> None:
    refresh.use(one_account(Scenario(never_ready=True)))
    execution = refresh.run(
        {"refresh_id": "r-never", "items": items("acct-0"), "deadline_seconds": 600}
    )
    assert execution.status == "SUCCEEDED"
    assert set(statuses(runs, "r-never").values()) == {"timed_out"}
    assert sum(execution.waits) == 600
    assert max(execution.waits) <= 120


def test_reauth_required_is_terminal_without_polling(
    refresh: RefreshHarness, runs: RefreshRunStore
) -> None:
    sandbox = refresh.use(one_account(Scenario(reauth_required=True)))
    execution = refresh.run({"refresh_id": "r-reauth", "items": items("acct-0")})
    assert execution.status == "SUCCEEDED"
    assert set(statuses(runs, "r-reauth").values()) == {"reauth_required"}
    assert sandbox.calls_to("/callback") == []
    assert execution.waits == []


def test_429_holds_every_call_for_60_seconds_and_restarts_nothing(
    refresh: RefreshHarness, runs: RefreshRunStore
) -> None:
    world = World(
        accounts=[
            AccountSpec("acct-0", CUSTOMER, scenario=Scenario(ready_after=10)),
            AccountSpec(
                "acct-1", CUSTOMER, scenario=Scenario(ready_after=10, rate_limited_calls=1)
            ),
            AccountSpec("acct-2", CUSTOMER, scenario=Scenario(ready_after=10)),
        ]
    )
    sandbox = refresh.use(world)
    execution = refresh.run(
        {"refresh_id": "r-429", "items": items("acct-0", "acct-1", "acct-2", products=("balance",))}
    )
    assert execution.status == "SUCCEEDED"
    assert set(statuses(runs, "r-429").values()) == {"succeeded"}
    assert len(sandbox.calls_to("/balance/refresh", "acct-0")) == 1
    limited = [c for c in sandbox.calls if c.status == 429]
    assert len(limited) == 1
    held_from = limited[0].at
    assert not [c for c in sandbox.calls if held_from < c.at < held_from + 60]
    retried = sandbox.calls_to("/balance/refresh", "acct-1")
    assert [call.status for call in retried] == [429, 200]
    # The stack-wide budget holds whole windows, and a schedule's turn comes in a
    # window's release (at 90 % of it): at most one window and its release past the 60 s.
    assert 60 <= retried[1].at - retried[0].at <= 60 + 12 + 0.9 * 12
    assert execution.waits[0] == 60  # the first Wait lasts the hold, not the initial 30 s


def test_a_burst_past_the_rate_limit_does_not_hammer_the_provider(
    refresh: RefreshHarness, runs: RefreshRunStore
) -> None:
    accounts = [f"acct-{i}" for i in range(8)]
    world = World(
        accounts=[AccountSpec(a, CUSTOMER, scenario=Scenario(ready_after=10)) for a in accounts],
        requests_per_minute=3,
    )
    sandbox = refresh.use(world)
    execution = refresh.run(
        {
            "refresh_id": "r-burst",
            "items": items(*accounts, products=("balance",)),
            "deadline_seconds": 3600,
        }
    )
    assert execution.status == "SUCCEEDED"
    assert set(statuses(runs, "r-burst").values()) == {"succeeded"}
    limited = [c.at for c in sandbox.calls if c.status == 429]
    assert all(later - earlier >= 60 for earlier, later in pairwise(limited))
    assert min(execution.waits) >= 1


def test_the_round_at_the_deadline_still_collects_what_is_ready(
    refresh: RefreshHarness, runs: RefreshRunStore
) -> None:
    refresh.use(one_account(Scenario(ready_after=550)))
    execution = refresh.run(
        {
            "refresh_id": "r-late",
            "items": items("acct-0", products=("balance",)),
            "deadline_seconds": 600,
        }
    )
    assert sum(execution.waits) == 600
    assert statuses(runs, "r-late") == {"acct-0/balance": "succeeded"}


def test_503_then_success(refresh: RefreshHarness, runs: RefreshRunStore) -> None:
    sandbox = refresh.use(one_account(Scenario(ready_after=10, unavailable_calls=2)))
    execution = refresh.run(
        {"refresh_id": "r-503", "items": items("acct-0", products=("balance",))}
    )
    assert execution.status == "SUCCEEDED"
    assert set(statuses(runs, "r-503").values()) == {"succeeded"}
    assert [c.status for c in sandbox.calls_to("/balance/refresh")] == [503, 503, 200]


def test_two_refreshes_store_each_transaction_once_and_update_changed_ones(
    refresh: RefreshHarness, runs: RefreshRunStore, bank: BankDataStore
) -> None:
    refresh.use(one_account(Scenario(ready_after=0)))
    transactions = ("transactions",)
    refresh.run({"refresh_id": "r-1", "items": items("acct-0", products=transactions)})
    refresh.run({"refresh_id": "r-2", "items": items("acct-0", products=transactions)})

    stored = bank.transactions("acct-0")
    assert len(stored) == 18
    assert len({t["transaction_id"] for t in stored}) == 18
    (first,) = runs.items("r-1")
    (second,) = runs.items("r-2")
    assert (first.new_transactions, first.updated_transactions) == (15, 0)
    assert (second.new_transactions, second.updated_transactions) == (3, 3)


def test_customer_accounts_are_resolved_and_registered(
    refresh: RefreshHarness, runs: RefreshRunStore, bank: BankDataStore
) -> None:
    world = World(
        accounts=[
            AccountSpec("acct-0", CUSTOMER, scenario=Scenario(ready_after=5)),
            AccountSpec("acct-1", CUSTOMER, bank_id="gtb", scenario=Scenario(ready_after=5)),
        ]
    )
    refresh.use(world)
    execution = refresh.run(
        {"refresh_id": "r-cust", "customer": CUSTOMER, "bank": "gtb", "products": ["balance"]}
    )
    assert execution.status == "SUCCEEDED"
    assert statuses(runs, "r-cust") == {"acct-1/balance": "succeeded"}
    assert [a["account_id"] for a in bank.customer_accounts(CUSTOMER)] == ["acct-1"]


def test_a_batch_of_50_costs_the_transitions_of_a_batch_of_1(
    refresh: RefreshHarness, runs: RefreshRunStore
) -> None:
    accounts = [f"acct-{i:02d}" for i in range(25)]
    world = World(
        accounts=[AccountSpec(a, CUSTOMER, scenario=Scenario(ready_after=40)) for a in accounts],
        requests_per_minute=10_000,
    )
    refresh.use(world)
    single = refresh.run(
        {"refresh_id": "r-one", "items": items(accounts[0], products=("balance",))}
    )
    batch = refresh.run({"refresh_id": "r-fifty", "items": items(*accounts)})

    assert len(runs.items("r-fifty")) == 50
    assert set(statuses(runs, "r-fifty").values()) == {"succeeded"}
    assert batch.transitions == single.transitions


def test_an_unexpected_failure_is_recorded_on_every_unfinished_item(
    refresh: RefreshHarness, runs: RefreshRunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    refresh.use(one_account(Scenario(ready_after=100)))
    poller = refresh.modules["CallbackPollerFunction"].workflow

    def broken(*_: Any) -> dict[str, Any]:
        raise RuntimeError("the poller broke")

    monkeypatch.setattr(poller, "poll", broken)
    execution = refresh.run({"refresh_id": "r-broken", "items": items("acct-0")})

    assert execution.status == "FAILED"
    assert set(statuses(runs, "r-broken").values()) == {"failed"}
    run = runs.run("r-broken")
    assert run is not None
    assert str(run.status) == "failed"
    assert "the poller broke" in (run.error or "")


def test_an_older_refresh_never_overwrites_newer_data(bank: BankDataStore) -> None:
    pending = {"_id": "t-1", "status": "pending", "trans_date": "2026-11-20T10:00:00Z"}
    posted = {**pending, "status": "posted"}
    assert bank.save_transactions("acct-0", [posted], as_of="2026-11-21T10:00:00.000Z") == (1, 0)
    assert bank.save_transactions("acct-0", [pending], as_of="2026-11-21T09:00:00.000Z") == (0, 0)
    (stored,) = bank.transactions("acct-0")
    assert stored["transaction"]["status"] == "posted"

    assert bank.save_balance("acct-0", {"ledger_balance": 2}, "2026-11-21T10:00:00.000Z", "x")
    assert not bank.save_balance("acct-0", {"ledger_balance": 1}, "2026-11-21T09:00:00.000Z", "x")
    latest = bank.latest_balance("acct-0")
    assert latest is not None
    assert latest["ledger_balance"] == 2
