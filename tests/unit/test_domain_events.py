"""DataTable stream records → domain events: which records are events, their shapes
against schemas/events, and the Pipe's filter from template.yaml."""

import json
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from banksync.events.mapping import domain_events
from banksync.events.types import EventType
from banksync.feed.cursor import decode_cursor
from devstack.event_sources import matches
from devstack.lambdas import LambdaContext
from devstack.template import TEMPLATE_PATH, StackTemplate
from tests.support.lambdas import cold_start, load_event

SCHEMAS = TEMPLATE_PATH.parent / "schemas" / "events"
_serialize = TypeSerializer().serialize
T0 = 1_764_750_000  # 2025-12-03T08:20:00Z


def attributes(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _serialize(value) for key, value in values.items() if value is not None}


def record(
    name: str, key: dict[str, str], new: dict[str, Any] | None, old: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A stream record as Lambda and Pipes hand it over (NEW_AND_OLD_IMAGES)."""
    stream: dict[str, Any] = {
        "ApproximateCreationDateTime": T0,
        "Keys": attributes(key),
        "SequenceNumber": "1",
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        stream["NewImage"] = attributes({**key, **new})
    if old is not None:
        stream["OldImage"] = attributes({**key, **old})
    return {"eventID": "e", "eventName": name, "eventSource": "aws:dynamodb", "dynamodb": stream}


def balance(
    account: str = "acc-1", ledger: int = 748942, as_of: str = "2026-12-03T08:00:00.000Z"
) -> dict[str, Any]:
    return {
        "entity": "balance",
        "kind": "balance",
        "account_id": account,
        "ledger": ledger,
        "available": ledger - 500,
        "currency": "NGN",
        "as_of": as_of,
        "fetched_at": "2026-12-03T08:00:20.000Z",
    }


def txn(account: str, seq: int, change: str = "added") -> dict[str, Any]:
    return {
        "entity": "transaction",
        "account_id": account,
        "transaction_id": f"t{seq}",
        "change": change,
        "change_seq": seq,
        "changed_at": "2026-12-03T08:00:21.000Z",
    }


def run(status: str) -> dict[str, Any]:
    return {
        "kind": "refresh_run",
        "refresh_id": "rs_1",
        "status": status,
        "run_kind": "scheduled",
        "counts": {"succeeded": 3, "reauth_required": 1},
        "created_at": "2026-12-03T08:00:00.000Z",
        "finished_at": "2026-12-03T08:01:00.000Z" if status != "running" else None,
    }


def account_event(kind: str, at: str = "2026-12-03T08:00:30.000Z") -> tuple[dict[str, str], Any]:
    key = {"pk": "ACCOUNT#acc-1", "sk": f"EVENT#{at}#{kind}"}
    detail = {"reason": "token expired"} if kind == "reauth_required" else {"record": "r1"}
    new = {
        "kind": "account_event",
        "event": kind,
        "account_id": "acc-1",
        "at": at,
        "detail": detail,
    }
    return key, new


def subscription(webhook: str | None, **more: Any) -> dict[str, Any]:
    values = {
        "entity": "subscription",
        "subscription_id": "sub_1",
        "customer": "cus-1",
        "webhook_url": "https://receiver.example/hooks",
        "webhook_state": webhook,
        "updated_at": "2026-12-03T08:05:00.000Z",
        **more,
    }
    return {k: v for k, v in values.items() if v is not None}


SUBSCRIPTION_KEY = {"pk": "SUBSCRIPTION#sub_1", "sk": "SUBSCRIPTION"}
BALANCE_KEY = {"pk": "ACCOUNT#acc-1", "sk": "BALANCE#LATEST"}
RUN_KEY = {"pk": "REFRESH#rs_1", "sk": "RUN"}


def txn_key(account: str, seq: int) -> dict[str, str]:
    return {"pk": f"ACCOUNT#{account}", "sk": f"TXN#t{seq}"}


def validators() -> dict[str, Draft202012Validator]:
    found = {}
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        found[path.stem] = Draft202012Validator(schema, format_checker=FormatChecker())
    return found


VALIDATORS = validators()


def assert_valid(event: dict[str, Any]) -> None:
    VALIDATORS[event["type"]].validate(event)


def test_every_event_type_has_a_draft_2020_12_schema_of_its_own_name() -> None:
    assert set(VALIDATORS) == {str(kind) for kind in EventType}
    for name, validator in VALIDATORS.items():
        assert validator.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert validator.schema["properties"]["type"] == {
            "const": name,
            "description": "The event's name (EventBridge: detail.type).",
        }


def test_a_new_balance_is_an_event_in_minor_units() -> None:
    (event,) = domain_events([record("INSERT", BALANCE_KEY, balance())])
    assert_valid(event)
    assert event["type"] == "banksync.balance.updated"
    assert (event["account_id"], event["ledger"], event["available"]) == ("acc-1", 748942, 748442)
    assert event["occurred_at"] == "2026-12-03T08:00:20.000Z"


def test_a_balance_rewritten_unchanged_is_no_event_and_a_newer_one_is() -> None:
    same = record("MODIFY", BALANCE_KEY, {**balance(), "fetched_at": "later"}, balance())
    assert domain_events([same]) == []
    newer = balance(ledger=1, as_of="2026-12-03T09:00:00.000Z")
    (event,) = domain_events([record("MODIFY", BALANCE_KEY, newer, balance())])
    assert event["ledger"] == 1


def test_transaction_changes_are_counted_per_account_with_the_cursor_before_them() -> None:
    batch = [
        record("MODIFY", txn_key("acc-1", 4), txn("acc-1", 4), txn("acc-1", 2)),
        record("INSERT", txn_key("acc-1", 5), txn("acc-1", 5)),
        record("INSERT", txn_key("acc-2", 1), txn("acc-2", 1)),
        record("MODIFY", txn_key("acc-1", 6), txn("acc-1", 6, "removed"), txn("acc-1", 3)),
        record("MODIFY", txn_key("acc-1", 7), txn("acc-1", 7, "modified"), txn("acc-1", 1)),
    ]
    first, second = domain_events(batch)
    for event in (first, second):
        assert_valid(event)
    assert (first["account_id"], first["added"], first["modified"], first["removed"]) == (
        "acc-1",
        2,
        1,
        1,
    )
    assert decode_cursor(first["cursor"]) == ("account:acc-1", 3)
    assert (second["account_id"], second["added"]) == ("acc-2", 1)
    assert decode_cursor(second["cursor"]) == ("account:acc-2", 0)


def test_a_change_seen_twice_counts_once_and_a_rewrite_without_a_new_number_not_at_all() -> None:
    change = record("INSERT", txn_key("acc-1", 5), txn("acc-1", 5))
    rewrite = record("MODIFY", txn_key("acc-1", 4), txn("acc-1", 4), txn("acc-1", 4))
    (event,) = domain_events([change, change, rewrite])
    assert (event["added"], event["modified"], event["removed"]) == (1, 0, 0)
    assert domain_events([rewrite]) == []


@pytest.mark.parametrize(("status", "events"), [("completed", 1), ("failed", 1), ("running", 0)])
def test_a_run_that_finishes_is_one_event(status: str, events: int) -> None:
    found = domain_events([record("MODIFY", RUN_KEY, run(status), run("running"))])
    assert len(found) == events
    for event in found:
        assert_valid(event)
        assert (event["refresh_id"], event["status"]) == ("rs_1", status)
        assert event["counts"] == {"succeeded": 3, "reauth_required": 1}


def test_a_finished_run_written_again_is_no_event() -> None:
    assert domain_events([record("MODIFY", RUN_KEY, run("completed"), run("completed"))]) == []


def test_the_workflows_last_resort_record_of_a_failure_is_still_an_event() -> None:
    bare = {"status": "failed", "error": "States.TaskFailed"}
    (event,) = domain_events([record("MODIFY", RUN_KEY, bare, {"status": "running"})])
    assert_valid(event)
    assert (event["error"], event["counts"], event["run_kind"]) == ("States.TaskFailed", {}, None)


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("reauth_required", "banksync.account.reauth_required"),
        ("reauthorised", "banksync.account.reauthorised"),
    ],
)
def test_account_events_become_domain_events_once(kind: str, name: str) -> None:
    key, new = account_event(kind)
    (event,) = domain_events([record("INSERT", key, new)])
    assert_valid(event)
    assert (event["type"], event["account_id"], event["occurred_at"]) == (
        name,
        "acc-1",
        "2026-12-03T08:00:30.000Z",
    )
    assert domain_events([record("MODIFY", key, new, new)]) == []


@pytest.mark.parametrize(
    ("state", "reason"), [("failing", "every attempt failed"), ("disabled", "410")]
)
def test_a_webhook_turned_off_is_an_event_with_its_reason(state: str, reason: str) -> None:
    off = subscription(
        state, webhook_disabled_reason=reason, webhook_disabled_at="2026-12-03T08:04:00.000Z"
    )
    (event,) = domain_events([record("MODIFY", SUBSCRIPTION_KEY, off, subscription("enabled"))])
    assert_valid(event)
    assert event["type"] == "banksync.subscription.webhook_disabled"
    assert (event["subscription_id"], event["webhook_state"]) == ("sub_1", state)
    assert (event["reason"], event["occurred_at"]) == (reason, "2026-12-03T08:04:00.000Z")
    # A record written before endpoint health has no state: its webhook was on.
    legacy = domain_events([record("MODIFY", SUBSCRIPTION_KEY, off, subscription(None))])
    assert [e["id"] for e in legacy] == [event["id"]]


def test_resuming_a_turned_off_webhook_is_an_event_and_other_rewrites_are_not() -> None:
    off = subscription("failing", webhook_disabled_reason="x")
    (event,) = domain_events([record("MODIFY", SUBSCRIPTION_KEY, subscription("enabled"), off)])
    assert_valid(event)
    assert event["type"] == "banksync.subscription.webhook_enabled"
    quiet = [
        record(
            "MODIFY",
            SUBSCRIPTION_KEY,
            subscription("enabled", interval="daily"),
            subscription("enabled"),
        ),
        record("MODIFY", SUBSCRIPTION_KEY, subscription("failing", state="paused"), off),
        record("INSERT", SUBSCRIPTION_KEY, subscription("enabled")),
        record("REMOVE", SUBSCRIPTION_KEY, None, off),
    ]
    assert domain_events(quiet) == []


def test_the_same_change_delivered_again_carries_the_same_id() -> None:
    batch = [
        record("INSERT", BALANCE_KEY, balance()),
        record("INSERT", txn_key("a", 1), txn("a", 1)),
    ]
    assert [e["id"] for e in domain_events(batch)] == [e["id"] for e in domain_events(batch)]
    other = domain_events([record("INSERT", BALANCE_KEY, balance(as_of="2026-12-04T00:00:00Z"))])
    assert other[0]["id"] != domain_events(batch)[0]["id"]


# Property: any batch the Pipe may hand over (at most 10 records of every kind,
# related or not) yields at most one event per record, each valid against its schema;
# two events share an id only when they say the same.
accounts = st.sampled_from(["acc-1", "acc-2", "6740a2b3c4d5e6f7a8000c01"])
stamps = st.sampled_from(["2026-12-03T08:00:00.000Z", "2026-12-03T09:30:00Z", None])
maybe_minor = st.one_of(st.none(), st.integers(-(10**15), 10**15))


@st.composite
def any_record(draw: st.DrawFn) -> dict[str, Any]:
    account = draw(accounts)
    name = draw(st.sampled_from(["INSERT", "MODIFY", "REMOVE"]))
    shape = draw(st.sampled_from(["balance", "txn", "run", "event", "subscription", "other"]))
    old: dict[str, Any] | None = draw(st.none() | st.just({}))
    if shape == "balance":
        new = {**balance(account), "ledger": draw(maybe_minor), "available": draw(maybe_minor)}
        new["as_of"] = draw(stamps)
        key = {"pk": f"ACCOUNT#{account}", "sk": "BALANCE#LATEST"}
    elif shape == "txn":
        seq = draw(st.integers(1, 10**6))
        new = txn(account, seq, draw(st.sampled_from(["added", "modified", "removed"])))
        key = txn_key(account, seq)
        old = draw(st.none() | st.just(txn(account, draw(st.integers(1, seq)))))
    elif shape == "run":
        new = run(draw(st.sampled_from(["running", "completed", "failed"])))
        new["counts"] = draw(
            st.dictionaries(st.sampled_from(["succeeded", "failed"]), st.integers(0, 50))
        )
        key = {"pk": f"REFRESH#{draw(st.text(min_size=1, max_size=8))}", "sk": "RUN"}
    elif shape == "event":
        key, new = account_event(draw(st.sampled_from(["reauth_required", "reauthorised"])))
    elif shape == "subscription":
        states = st.sampled_from([None, "enabled", "failing", "disabled"])
        key = SUBSCRIPTION_KEY
        new = subscription(draw(states), webhook_disabled_reason=draw(st.none() | st.text()))
        old = draw(st.none() | states.map(subscription))
    else:
        key = {"pk": f"ACCOUNT#{account}", "sk": draw(st.sampled_from(["PROFILE", "CHANGES"]))}
        new = {"kind": draw(st.text(max_size=5)), "status": "completed"}
    return record(name, key, None if name == "REMOVE" else new, old)


@given(st.lists(any_record(), max_size=10))
def test_a_batch_never_yields_more_events_than_records_and_every_event_is_valid(
    batch: list[dict[str, Any]],
) -> None:
    events = domain_events(batch)
    assert len(events) <= len(batch)
    for event in events:
        assert_valid(event)
    by_id = {e["id"]: e for e in events}
    assert all(by_id[e["id"]] == e for e in events)  # one id, one content


# The Pipe's filter, as template.yaml writes it, applied to real-shaped records.
def pipe_filters() -> list[Any]:
    props = StackTemplate.load().body["Resources"]["DomainEventsPipe"]["Properties"]
    criteria = props["SourceParameters"]["FilterCriteria"]["Filters"]
    return [json.loads(f["Pattern"]) for f in criteria]


def passes(item: dict[str, Any]) -> bool:
    return any(matches(f, item) for f in pipe_filters())


@given(any_record())
def test_the_filter_never_drops_a_record_that_would_be_an_event(item: dict[str, Any]) -> None:
    if domain_events([item]):
        assert passes(item)


def test_the_pipe_lets_through_every_record_an_event_comes_from() -> None:
    wanted = [
        record("INSERT", BALANCE_KEY, balance()),
        record("MODIFY", BALANCE_KEY, balance(), balance()),
        record("INSERT", txn_key("acc-1", 1), txn("acc-1", 1)),
        record("MODIFY", txn_key("acc-1", 2), txn("acc-1", 2, "removed"), txn("acc-1", 1)),
        record("MODIFY", RUN_KEY, run("completed"), run("running")),
        record("MODIFY", RUN_KEY, {"status": "failed", "error": "x"}, run("running")),
        record("INSERT", *account_event("reauth_required")),
        record("INSERT", *account_event("reauthorised")),
        record("MODIFY", SUBSCRIPTION_KEY, subscription("failing"), subscription("enabled")),
        record("MODIFY", SUBSCRIPTION_KEY, subscription("enabled"), subscription("disabled")),
    ]
    for item in wanted:
        assert passes(item), item["dynamodb"]["Keys"]
        assert domain_events([item]) or item["eventName"] == "MODIFY"


def test_the_pipe_filters_out_what_is_never_an_event() -> None:
    history = {"pk": "ACCOUNT#acc-1", "sk": "BALANCE#2026-12-03T08:00:00.000Z"}
    change_entry = {"pk": "ACCOUNT#acc-1", "sk": "CHANGE#000000000000001"}
    unwanted = [
        record("INSERT", history, balance()),
        record("REMOVE", BALANCE_KEY, None, balance()),
        record("INSERT", {"pk": "ACCOUNT#acc-1", "sk": "PROFILE"}, {"kind": "account"}),
        record("INSERT", {"pk": "ACCOUNT#acc-1", "sk": "CHANGES"}, {"seq": 3}),
        record("INSERT", change_entry, {"kind": "transaction_change", "change_seq": 1}),
        record("INSERT", txn_key("acc-1", 1), {"kind": "transaction", "account_id": "acc-1"}),
        record("REMOVE", txn_key("acc-1", 1), None, txn("acc-1", 1)),
        record("MODIFY", RUN_KEY, run("running"), run("running")),
        record("INSERT", {"pk": "REFRESH#rs_1", "sk": "ITEM#acc-1#balance"}, {"status": "failed"}),
        record("MODIFY", {"pk": "SUBSCRIPTION#s", "sk": "RUN"}, {"status": "completed"}),
        record("MODIFY", {"pk": "SUBSCRIPTION#s", "sk": "DELIVERY#d1"}, {"status": "abandoned"}),
        record("MODIFY", {"pk": "SUBSCRIPTION#s", "sk": "INFLIGHT"}, {"webhook_state": "x"}),
        record("INSERT", SUBSCRIPTION_KEY, subscription("enabled")),
        record("MODIFY", *account_event("reauthorised")),
        record(
            "INSERT",
            {"pk": "ACCOUNT#a", "sk": "EVENT#x#other"},
            {"kind": "account_event", "event": "x"},
        ),
    ]
    for item in unwanted:
        assert not passes(item), item["dynamodb"]["Keys"]


def test_the_sample_pipe_batch_through_the_enrichment_function(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enricher = cold_start(StackTemplate.load(), "EventEnricherFunction", monkeypatch)
    batch: Any = load_event("pipe_enrichment_batch.json")
    events = enricher.lambda_handler(batch, LambdaContext(function_name="EventEnricher"))
    assert [e["type"] for e in events] == [
        "banksync.balance.updated",
        "banksync.refresh.completed",
        "banksync.transactions.changed",
    ]
    for event in events:
        assert_valid(event)
    assert (events[2]["added"], events[2]["modified"]) == (1, 1)
    assert decode_cursor(events[2]["cursor"]) == ("account:6740a2b3c4d5e6f7a8000c01", 15)


@pytest.mark.parametrize(("stored", "named"), [({}, "okra"), ({"provider": "mono"}, "mono")])
def test_balance_and_transaction_events_name_the_provider(
    stored: dict[str, str], named: str
) -> None:
    batch = [
        record("INSERT", BALANCE_KEY, {**balance(), **stored}),
        record("INSERT", txn_key("acc-1", 1), {**txn("acc-1", 1), **stored}),
    ]
    events = domain_events(batch)
    assert [event["provider"] for event in events] == [named, named]
    for event in events:
        assert_valid(event)
