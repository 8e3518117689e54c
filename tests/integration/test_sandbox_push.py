"""The sandbox's webhook side: what the provider POSTs, when, and how it retries."""

import json
from typing import Any

import httpx
import pytest

from banksync.provider.model import NotReady, Ready, Started
from devstack.sandbox import AccountSpec, Sandbox, Scenario, World
from devstack.sandbox.world import transaction_id
from tests.support.sandbox import VirtualClock, new_sandbox, sandbox_client

HOOK = "https://business.example/webhooks/okra"


class Business:
    """The business's webhook endpoint: answers what the test scripts, records what came."""

    def __init__(self, *answers: int) -> None:
        self.answers = list(answers)
        self.received: list[tuple[dict[str, Any], str | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append((json.loads(request.content), request.headers.get("authorization")))
        return httpx.Response(self.answers.pop(0) if self.answers else 200)

    @property
    def codes(self) -> list[str]:
        return [payload["callback_code"] for payload, _ in self.received]


def sandbox_for(
    clock: VirtualClock, business: Business, *scenarios: Scenario, **world: Any
) -> Sandbox:
    accounts = [AccountSpec(f"acct-{i}", "cust-1", scenario=s) for i, s in enumerate(scenarios)]
    sandbox = new_sandbox(World(accounts=accounts, **world), clock)
    sandbox.outbox.send_to(HOOK, "dashboard-token", transport=httpx.MockTransport(business))
    return sandbox


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


def test_a_refresh_is_announced_when_its_data_is_ready(clock: VirtualClock) -> None:
    business = Business()
    sandbox = sandbox_for(clock, business, Scenario(ready_after=30), auto_refresh_seconds=None)
    started = sandbox_client(sandbox).start_refresh("acct-0", "balance")
    assert isinstance(started, Started)
    clock.advance(29)
    assert sandbox.tick() == 0
    clock.advance(1)
    assert sandbox.tick() == 1
    ((payload, authorisation),) = business.received
    assert authorisation == "Bearer dashboard-token"
    assert payload["callback_type"] == "BALANCE"
    assert payload["callback_code"] == "BALANCE_SUCCESS"
    assert payload["record"] == payload["recordId"] == started.record_id
    assert payload["callback_url"] == started.callback_url
    assert payload["customerId"] == "cust-1"
    assert isinstance(sandbox_client(sandbox).fetch_callback(payload["callback_url"]), Ready)


def test_transactions_webhooks_count_the_new_rows(clock: VirtualClock) -> None:
    business = Business()
    sandbox = sandbox_for(clock, business, Scenario(ready_after=0), auto_refresh_seconds=None)
    client = sandbox_client(sandbox)
    for _ in range(2):
        client.start_refresh("acct-0", "transactions")
        sandbox.tick()
    assert business.codes == ["INITIAL_TRANSACTIONS", "PERIODIC_TRANSACTIONS"]
    assert [p["new_transactions"] for p, _ in business.received] == [12, 3]


def test_an_answer_other_than_200_is_retried_a_minute_apart_for_150_minutes(
    clock: VirtualClock,
) -> None:
    business = Business(*([503] * 1000))
    sandbox = sandbox_for(clock, business, Scenario(ready_after=0), auto_refresh_seconds=None)
    sandbox_client(sandbox).start_refresh("acct-0", "balance")
    for _ in range(200):
        sandbox.tick()
        clock.advance(60)
    assert len(business.received) == 151  # the first try, then one a minute for 150 minutes
    assert len({json.dumps(p, sort_keys=True) for p, _ in business.received}) == 1
    assert len(sandbox.outbox.abandoned) == 1
    assert sandbox.outbox.waiting == 0


def test_a_retry_stops_at_the_first_200(clock: VirtualClock) -> None:
    business = Business(500, 404, 200)
    sandbox = sandbox_for(clock, business, Scenario(ready_after=0), auto_refresh_seconds=None)
    sandbox_client(sandbox).start_refresh("acct-0", "balance")
    for _ in range(10):
        sandbox.tick()
        clock.advance(60)
    assert len(business.received) == 3
    assert sandbox.outbox.waiting == 0


@pytest.mark.parametrize(
    ("scenario", "expected_at"),
    [
        (Scenario(ready_after=30, webhook="never"), []),
        (Scenario(ready_after=30, webhook="late", webhook_delay=90), [120.0]),
        (Scenario(ready_after=30, webhook="twice"), [30.0, 35.0]),
        (Scenario(ready_after=30, webhook="early"), [0.0]),
        (Scenario(ready_after=30, never_ready=True), []),
    ],
)
def test_webhook_scenarios(
    clock: VirtualClock, scenario: Scenario, expected_at: list[float]
) -> None:
    business = Business()
    sandbox = sandbox_for(clock, business, scenario, auto_refresh_seconds=None)
    start = clock.now
    sandbox_client(sandbox).start_refresh("acct-0", "balance")
    for _ in range(300):
        sandbox.tick()
        clock.advance(1)
    assert [sent.at - start for sent in sandbox.outbox.sent] == expected_at


def test_the_providers_own_refresh_announces_every_connected_account(clock: VirtualClock) -> None:
    business = Business()
    sandbox = sandbox_for(
        clock,
        business,
        Scenario(ready_after=20),
        Scenario(reauth_required=True),
        auto_refresh_seconds=600,
    )
    clock.advance(600 + 20)
    sandbox.tick()
    assert sorted(business.codes) == ["BALANCE_SUCCESS", "INITIAL_TRANSACTIONS"]
    assert {p["customerId"] for p, _ in business.received} == {"cust-1"}
    assert sandbox.calls == []  # the provider's own refresh costs the business no call
    clock.advance(600)
    sandbox.tick()
    assert business.codes[2:] == ["BALANCE_SUCCESS", "PERIODIC_TRANSACTIONS"]
    transactions = [p for p, _ in business.received if p["callback_type"] == "TRANSACTIONS"]
    ready = sandbox_client(sandbox).fetch_callback(transactions[-1]["callback_url"])
    assert isinstance(ready, Ready)
    assert len(ready.data["transactions"]) == 12 + 3 * 2


def test_rows_the_bank_takes_back_are_announced_and_no_longer_listed(clock: VirtualClock) -> None:
    business = Business()
    sandbox = sandbox_for(
        clock, business, Scenario(ready_after=0, deleted_per_refresh=2), auto_refresh_seconds=60
    )
    clock.advance(60)
    sandbox.tick()
    (deleted,) = [p for p, _ in business.received if p["callback_code"] == "TRANSACTIONS_DELETED"]
    removed = deleted["removed_transactions"]
    assert len(removed) == 2
    (listed,) = [p for p, _ in business.received if p["callback_code"] == "INITIAL_TRANSACTIONS"]
    ready = sandbox_client(sandbox).fetch_callback(listed["callback_url"])
    assert isinstance(ready, Ready)
    ids = {transaction_id(row) for row in ready.data["transactions"]}
    assert ids.isdisjoint(removed)
    assert len(ids) == 12 + 3 - 2


def test_the_published_in_progress_answer_is_not_ready(clock: VirtualClock) -> None:
    sandbox = new_sandbox(
        World(
            accounts=[
                AccountSpec("acct-0", "c", scenario=Scenario(30, not_ready_shape="in_progress"))
            ],
            auto_refresh_seconds=None,
        ),
        clock,
    )
    client = sandbox_client(sandbox)
    started = client.start_refresh("acct-0", "balance")
    assert isinstance(started, Started)
    raw = sandbox.transport().handle_request(
        httpx.Request(
            "GET", started.callback_url, headers={"Authorization": "Bearer sandbox-secret-key"}
        )
    )
    raw.read()
    answer = json.loads(raw.content)
    assert (raw.status_code, answer["status"]) == (200, "success")
    assert answer["data"]["status"]["process"]["running"] is True
    assert isinstance(client.fetch_callback(started.callback_url), NotReady)
    clock.advance(30)
    assert isinstance(client.fetch_callback(started.callback_url), Ready)


def test_transaction_rows_are_okra_shaped(clock: VirtualClock) -> None:
    sandbox = new_sandbox(
        World(
            accounts=[AccountSpec("acct-0", "c", scenario=Scenario(0))], auto_refresh_seconds=None
        ),
        clock,
    )
    client = sandbox_client(sandbox)
    started = client.start_refresh("acct-0", "transactions")
    assert isinstance(started, Started)
    ready = client.fetch_callback(started.callback_url)
    assert isinstance(ready, Ready)
    rows = ready.data["transactions"]
    assert {
        "trans_date",
        "cleared_date",
        "notes",
        "ref",
        "account",
        "customer",
        "bank",
        "currency",
    } <= set(rows[0])
    assert all((row["debit"] is None) != (row["credit"] is None) for row in rows)
    assert any(isinstance(row["debit"] or row["credit"], str) for row in rows)
    assert any("id" in row and "_id" not in row for row in rows)
    assert all(isinstance(row["notes"]["desc"], str) for row in rows)


def test_announced_rows_taken_back_stay_in_a_record_that_keeps_removed_rows(
    clock: VirtualClock,
) -> None:
    business = Business()
    sandbox = sandbox_for(
        clock,
        business,
        Scenario(ready_after=10, deleted_announced_per_refresh=1),
        auto_refresh_seconds=None,
        records_keep_removed_rows=True,
    )
    sandbox.refresh_everything()
    clock.advance(10)
    sandbox.tick()
    assert business.codes == ["BALANCE_SUCCESS", "INITIAL_TRANSACTIONS"]
    clock.advance(0.2)
    sandbox.tick()
    (announced, _), (deleted, _) = business.received[1:]
    assert deleted["callback_code"] == "TRANSACTIONS_DELETED"
    assert deleted["record"] == announced["record"]
    (gone,) = deleted["removed_transactions"]
    ready = sandbox_client(sandbox).fetch_callback(announced["callback_url"])
    assert isinstance(ready, Ready)
    assert gone in {transaction_id(row) for row in ready.data["transactions"]}
    record = sandbox.record(announced["record"])
    assert record is not None
    assert record.snapshot == 1


def test_the_newest_announced_rows_are_taken_back_after_the_oldest_posted_ones() -> None:
    spec = AccountSpec(
        "acct-0",
        "cust-1",
        scenario=Scenario(deleted_per_refresh=1, deleted_announced_per_refresh=2),
    )
    first = [transaction_id(row) for row in spec.transactions(1)]
    posted, announced = spec.taken_back(1, frozenset())
    assert (posted, announced) == ([first[0]], first[-2:])
    second = [transaction_id(row) for row in spec.transactions(2)]
    _, announced = spec.taken_back(2, frozenset())
    assert announced == second[-2:]
    assert set(announced).isdisjoint(first)


def test_an_accounts_lookup_is_recorded_with_its_customer(clock: VirtualClock) -> None:
    sandbox = sandbox_for(clock, Business(), Scenario(), auto_refresh_seconds=None)
    sandbox_client(sandbox).accounts_by_customer("cust-1", None)
    (call,) = sandbox.calls
    assert (call.path, call.customer_id, call.status) == (
        "/v2/accounts/getByCustomer",
        "cust-1",
        200,
    )
