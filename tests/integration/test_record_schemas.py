"""The stream records' documented shapes hold for what the real code writes.

For every schema in schemas/records/ a writer drives the real code paths
(the handlers, the state machine on moto, the sandbox provider); every
NewImage and OldImage that lands on the stack's streams and belongs to the
schema's item type must validate against it, and every image belongs to
exactly one schema. A new item type adds its schema file and a writer to
WRITERS.
"""

import base64
import inspect
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from banksync.bankdata.store import BankDataStore
from banksync.budget.turns import BudgetTurns
from devstack.sandbox import AccountSpec, Scenario, World
from tests.support.delivery import Delivering, refreshed_subscription
from tests.support.lambdas import http_event, invoke, load_event
from tests.support.push import PushHarness
from tests.support.records import Image, RecordSchema, StreamImages, record_schemas
from tests.support.sandbox import provider_account
from tests.support.sync import SyncHarness

CUSTOMER = "cust-records"
DAY = 86_400
# A writer names the fixtures it drives, as a test does.
Writer = Callable[..., None]


def a_customer_refresh(sync: SyncHarness) -> None:
    """A refresh of a customer: its accounts registered, balances and transactions stored."""
    spec = AccountSpec("acct-records", CUSTOMER, scenario=Scenario(ready_after=20))
    sync.refresh.use(World(accounts=[spec]))
    execution = sync.refresh.run({"refresh_id": "rs_records", "customer": CUSTOMER})
    assert execution.status == "SUCCEEDED"


def a_reauthorisation(sync: SyncHarness) -> None:
    """The bank asks the customer to re-authorise; the provider's AUTH_SUCCESS lifts it."""
    spec = AccountSpec("acct-reauth", CUSTOMER, scenario=Scenario(reauth_required=True))
    sync.refresh.use(World(accounts=[spec]))
    sync.refresh.run({"refresh_id": "rs_reauth", "customer": CUSTOMER})
    webhook = {
        "callback_type": "AUTH",
        "callback_code": "AUTH_SUCCESS",
        "customerId": CUSTOMER,
        "bankId": spec.bank_id,
        "record": "rec-reauth",
    }
    assert receive(sync, webhook)["statusCode"] == 200
    sync.pump_events_stream()
    events = BankDataStore(sync.stack.refs["DataTable"], sync.aws.client("dynamodb"))
    kinds = {event["event"] for event in events.account_events(spec.account_id)}
    assert kinds == {"reauth_required", "reauthorised"}


def webhooks_received(sync: SyncHarness) -> None:
    """Every sample webhook the receiver takes, and one with a field too long to index."""
    for name in (
        "webhook_auth_success.json",
        "webhook_balance_success.json",
        "webhook_periodic_transactions.json",
    ):
        assert invoke(sync.receiver, load_event(name))["statusCode"] == 200
    long_record = {"callback_type": "BALANCE", "record": "r" * 600, "customerId": CUSTOMER}
    assert receive(sync, long_record)["statusCode"] == 200


def an_operator_sweep(sync: SyncHarness) -> None:
    """POST /sweeps over a small registry, its pages queued and read, its runs finished."""
    specs = [AccountSpec(f"acct-sweep-{i}", CUSTOMER) for i in range(3)]
    sync.refresh.use(World(accounts=specs, requests_per_minute=10_000))
    bank = BankDataStore(sync.stack.refs["DataTable"], sync.aws.client("dynamodb"))
    for spec in specs:
        bank.register_account(provider_account(spec), "2026-11-01T00:00:00.000Z")
    assert invoke(sync.api, http_event("POST", "/sweeps"))["statusCode"] == 202
    sync.drain_due_work()
    for execution in sync.executions():
        sync.refresh.finish(json.loads(execution["input"])["refresh_id"])


def rows_that_change(sync: SyncHarness) -> None:
    """Rows added, corrected, posted over their pending row, and taken back by the bank."""
    bank = BankDataStore(sync.stack.refs["DataTable"], sync.aws.client("dynamodb"))
    spec = AccountSpec("acct-rows", CUSTOMER)
    bank.register_account(provider_account(spec), "2026-11-20T00:00:00.000Z")
    first = [txn_row(1), txn_row(2), txn_row(3, cleared_date="", status="pending")]
    assert bank.save_transactions(spec.account_id, first, "2026-11-21T10:00:00.000Z") == (3, 0)
    later = [
        txn_row(1),
        txn_row(2, debit=250),
        txn_row(4, pending_transaction_id="t-3"),
        {"_id": "t-5", "notes": "no amount, no date"},
    ]
    assert bank.save_transactions(spec.account_id, later, "2026-11-22T10:00:00.000Z") == (2, 1)
    assert bank.removals.remove(spec.account_id, ["t-1"], "2026-11-23T10:00:00.000Z", "rec-del")
    # Deleted before its fetch landed: a tombstone, and the fetch then writes nothing.
    bank.removals.remove(spec.account_id, ["t-9"], "2026-11-24T10:00:00.000Z", "rec-d2")
    assert bank.save_transactions(spec.account_id, [txn_row(9)], "2026-11-24T09:00:00.000Z") == (
        0,
        0,
    )


def txn_row(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "_id": f"t-{number}",
        "trans_date": f"2026-11-{number:02d}T09:00:00Z",
        "cleared_date": f"2026-11-{number:02d}T11:00:00Z",
        "debit": 100 + number,
        "currency": "NGN",
        "notes": {"desc": f"purchase {number}"},
        **fields,
    }


def the_providers_own_refreshes(push: PushHarness) -> None:
    """The provider refreshes on its own, daily, and takes rows back: its webhooks are fetched."""
    spec = AccountSpec("acct-pushed", CUSTOMER, scenario=Scenario(deleted_per_refresh=1))
    push.use(World(accounts=[spec], auto_refresh_seconds=DAY))
    for _ in range(2):
        push.advance(DAY, step=DAY // 4)
        push.advance(60, step=5)
    rows = push.bank().transactions(spec.account_id)
    assert any(row.get("removed_at") for row in rows), "the bank took a row back"


def a_woken_refresh(push: PushHarness) -> None:
    """A refresh parks for its webhook and is woken by it; then a webhook is lost."""
    spec = AccountSpec("acct-wake", CUSTOMER, scenario=Scenario(ready_after=60))
    sandbox = push.use(World(accounts=[spec], auto_refresh_seconds=None))
    items = [{"account_id": spec.account_id, "product": "balance"}]
    woken = push.sync.refresh.run({"refresh_id": "rw_records", "items": items})
    lost = Scenario(ready_after=60, webhook="never")
    sandbox.world.accounts[0] = AccountSpec(spec.account_id, CUSTOMER, scenario=lost)
    missed = push.sync.refresh.run({"refresh_id": "rw_lost", "items": items})
    assert (woken.status, missed.status) == ("SUCCEEDED", "SUCCEEDED")


def the_provider_budget(sync: SyncHarness) -> None:
    """Calls taken from the budget's windows, a 429's hold, and turns queued behind it."""
    sync.refresh.use(World(accounts=[]))
    budget = sync.refresh.budget()
    assert budget.take("on_demand") == 0
    assert budget.take("sweep") == 0
    budget.hold(budget.window_seconds * 2)
    turns = BudgetTurns(budget)
    assert turns.take("sweep", 3, 1.0) >= 1.0
    assert turns.take("sweep", 3, 1.0) >= 1.0


def deliveries_retried(delivering: Delivering) -> None:
    """A subscription's results delivered at a throttled rate after a failed attempt,
    and one delivery retried by an operator."""
    delivering.subscriber.answers = [lambda _: httpx.Response(503)]
    sid = refreshed_subscription(delivering, ["balance", "transactions"], webhook_rate_per_second=1)
    delivering.deliver_until_done()
    (first, *_) = delivering.deliveries(sid)
    status, _, _ = delivering.api("POST", f"/deliveries/{first.delivery_id}/retry")
    assert status == 202
    delivering.deliver_until_done()
    assert {d.status for d in delivering.deliveries(sid)} == {"delivered"}


def deliveries_hastened_then_paused(delivering: Delivering) -> None:
    """A pending delivery's next attempt moved forward by an operator, then its
    subscription paused: the delivery ends without another attempt."""
    api = delivering.sync.api
    api.delivery_routes.replays.clock = api.subscription_service.clock = delivering.sync.refresh.now
    fails = lambda _: httpx.Response(503, headers={"Retry-After": "3600"})  # noqa: E731
    delivering.subscriber.answers = [fails, fails]
    sid = refreshed_subscription(delivering, ["balance"])
    delivering.deliver_once()
    (pending,) = delivering.deliveries(sid)
    assert delivering.api("POST", f"/deliveries/{pending.delivery_id}/retry")[0] == 202
    delivering.deliver_once()
    assert delivering.api("POST", f"/subscriptions/{sid}/pause")[0] == 200
    assert {d.status for d in delivering.deliveries(sid)} == {"abandoned"}


def subscriptions_turned_off_and_deleted(delivering: Delivering) -> None:
    """An endpoint that answers 410 Gone, resumed, then deleted; a one-bank subscription
    beside another customer's, deleted too."""
    delivering.subscriber.answers = [lambda _: httpx.Response(410)]
    sid = refreshed_subscription(delivering, ["balance"])
    delivering.deliver_until_done()
    assert {d.status for d in delivering.deliveries(sid)} == {"abandoned"}
    assert delivering.api("POST", f"/subscriptions/{sid}/resume")[0] == 200
    one_bank = delivering.sync.subscribe(
        {"customer": "cust-one-bank", "bank": "bank-1", "products": ["balance"]}
    )["subscription_id"]
    for subscription_id in (sid, one_bank):
        assert delivering.api("DELETE", f"/subscriptions/{subscription_id}")[0] == 204


WRITERS: dict[str, list[Writer]] = {
    "refresh_run": [a_customer_refresh],
    "refresh_item": [a_customer_refresh, a_reauthorisation],
    "account": [a_customer_refresh, a_reauthorisation, an_operator_sweep],
    "account_event": [a_reauthorisation],
    "inbound_webhook": [webhooks_received],
    "sweep": [an_operator_sweep],
    "sweep_page": [an_operator_sweep],
    "sweep_current": [an_operator_sweep],
    "transaction": [a_customer_refresh, rows_that_change, the_providers_own_refreshes],
    "balance": [a_customer_refresh, the_providers_own_refreshes],
    "transaction_tombstone": [rows_that_change],
    "change_head": [a_customer_refresh, rows_that_change],
    "transaction_change": [a_customer_refresh, rows_that_change, the_providers_own_refreshes],
    "pushed_update": [the_providers_own_refreshes],
    "refresh_wake": [a_woken_refresh],
    "webhook_health": [a_woken_refresh],
    "budget_window": [a_customer_refresh, the_provider_budget],
    "budget_turns": [the_provider_budget],
    "subscription": [
        deliveries_retried,
        deliveries_hastened_then_paused,
        subscriptions_turned_off_and_deleted,
    ],
    "coverage": [deliveries_retried, subscriptions_turned_off_and_deleted],
    "subscription_inflight": [deliveries_retried],
    "delivery": [
        deliveries_retried,
        deliveries_hastened_then_paused,
        subscriptions_turned_off_and_deleted,
    ],
    "throttle_window": [deliveries_retried],
    "replays_window": [deliveries_retried],
}
# Each writer runs once; every image it streams is checked against its own schema.
CASES = [
    pytest.param(writer, id=writer.__name__)
    for writer in dict.fromkeys(w for writers in WRITERS.values() for w in writers)
]


def receive(sync: SyncHarness, webhook: dict[str, Any]) -> dict[str, Any]:
    event = load_event("webhook_auth_success.json")
    event["body"] = base64.b64encode(json.dumps(webhook).encode()).decode()
    event["isBase64Encoded"] = True
    return invoke(sync.receiver, event)


def write(writer: Writer, request: pytest.FixtureRequest) -> None:
    names = inspect.signature(writer).parameters
    writer(**{name: request.getfixturevalue(name) for name in names})


@pytest.mark.parametrize("writer", CASES)
def test_stream_images_match_their_schema(
    sync: SyncHarness, writer: Writer, request: pytest.FixtureRequest
) -> None:
    stream = StreamImages(sync.aws, sync.stack)
    write(writer, request)
    images = stream.read()
    schemas = record_schemas()

    # Every image belongs to exactly one item type: none is undocumented.
    owners = {id(i): [s for s in schemas if claims(s, i)] for i in images}
    unowned = {
        f"{i.table} {i.event} {i.values.get('pk', '')} {i.values.get('sk', '')}": [
            s.entity for s in owners[id(i)]
        ]
        for i in images
        if len(owners[id(i)]) != 1
    }
    assert not unowned, f"images claimed by no schema or by several: {unowned}"
    failures = {
        f"{s.entity}: {i.event} {i.which} {i.values.get('pk', '')} {i.values.get('sk', '')}": (
            problems
        )
        for i in images
        for s in owners[id(i)]
        if (problems := s.problems(i.values))
    }
    assert not failures, json.dumps(failures, indent=1)
    for schema in schemas:
        if writer not in WRITERS.get(schema.entity, []):
            continue
        mine = [i for i in images if owners[id(i)] == [schema]]
        assert mine, f"{writer.__name__} wrote no {schema.entity} to the {schema.table} stream"
        assert {i.values["entity"] for i in mine} == {schema.entity}
        if schema.document["x-stream-view-type"] == "NEW_AND_OLD_IMAGES":
            assert any(i.which == "NewImage" for i in mine)


def claims(schema: RecordSchema, image: Image) -> bool:
    return image.table == schema.table and schema.claims(image.values)


def test_every_schema_has_a_writer_and_every_writer_a_schema() -> None:
    entities = {schema.entity for schema in record_schemas()}
    assert entities == set(WRITERS)


def test_every_schema_states_its_tables_stream_view_type(sync: SyncHarness) -> None:
    for schema in record_schemas():
        props = sync.stack.properties(schema.table)
        assert (
            schema.document["x-stream-view-type"]
            == (props["StreamSpecification"]["StreamViewType"])
        ), schema.entity


def test_an_image_that_drifts_from_its_schema_is_caught() -> None:
    (sweep,) = [s for s in record_schemas() if s.entity == "sweep"]
    good = {
        "pk": "SWEEP#sw_1",
        "sk": "SWEEP",
        "entity": "sweep",
        "schema_version": 1,
        "kind": "sweep",
        "sweep_id": "sw_1",
        "created_at": "2026-12-01T00:00:00.000Z",
        "trigger": "operator",
        "stale_after_hours": 26,
        "status": "queueing",
        "gsi2pk": "SWEEPS",
        "gsi2sk": "2026-12-01T00:00:00.000Z#sw_1",
    }
    assert sweep.claims(good)
    assert sweep.problems(good) == []
    assert sweep.problems({**good, "undocumented": 1})
    assert sweep.problems({**good, "status": "paused"})
    assert sweep.problems({**good, "created_at": "yesterday"})
    assert sweep.problems({k: v for k, v in good.items() if k != "trigger"})
    assert not sweep.claims({**good, "sk": "PAGE#00#000000"})


def test_a_transaction_that_drifts_is_caught() -> None:
    by_entity = {s.entity: s for s in record_schemas()}
    transaction, entry = by_entity["transaction"], by_entity["transaction_change"]
    good = {
        "pk": "ACCOUNT#acct-1",
        "sk": "TXN#t-1",
        "entity": "transaction",
        "schema_version": 1,
        "kind": "transaction",
        "transaction_id": "t-1",
        "account_id": "acct-1",
        "amount": 10100,
        "direction": "debit",
        "status": "posted",
        "fingerprint": "0" * 64,
        "transaction": {"_id": "t-1", "debit": 101},
        "as_of": "2026-11-21T10:00:00.000Z",
        "first_seen_at": "2026-11-21T10:00:00.000Z",
        "change_seq": 1,
        "change": "added",
        "changed_at": "2026-11-21T10:00:01.000Z",
        "gsi1pk": "TXNS#acct-1",
        "gsi1sk": "2026-11-01T09:00:00.000Z#t-1",
    }
    assert transaction.claims(good)
    assert transaction.problems(good) == []
    assert not entry.claims(good)
    assert transaction.problems({**good, "change": "created"})
    assert transaction.problems({**good, "amount": "101.00"})
    assert transaction.problems({k: v for k, v in good.items() if k != "change_seq"})
    assert transaction.problems({**good, "removed_reason": "expired"})
