"""Domain events end to end on moto: real writes to the DataTable, its stream through the
template's Pipe (filter, the real enrichment function), the stack's event bus, and a
consumer's rule delivering them to its SQS queue."""

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from banksync.bankdata.store import BankDataStore
from banksync.dynamo import to_item
from banksync.feed.cursor import decode_cursor, encode_cursor
from banksync.feed.reader import ChangeFeed
from banksync.provider.model import ProviderAccount
from banksync.refresh.model import RefreshRun, RunStatus
from banksync.refresh.runs import RefreshRunStore
from banksync.subscriptions.store import SubscriptionStore
from devstack.lambdas import LambdaContext
from devstack.pipes import PipePump, pipes_for
from devstack.template import TEMPLATE_PATH, StackTemplate
from tests.support.lambdas import cold_start

ACCOUNT = ProviderAccount("acc-1", "cus-1", "bank-1", "Demo Bank", "0123456789", "Main", "NGN")
AS_OF = "2026-12-03T08:00:00.000Z"
SCHEMAS = TEMPLATE_PATH.parent / "schemas" / "events"


def okra_row(n: int) -> dict[str, Any]:
    return {
        "_id": f"txn-{n}",
        "trans_date": "2026-12-02T10:00:00.000Z",
        "debit": 100 * n,
        "currency": "NGN",
        "notes": {"desc": f"purchase {n}"},
        "ref": f"ref-{n}",
    }


class Consumer:
    """Another team's service: a rule on the bus, its queue as the target."""

    def __init__(self, session: boto3.Session, bus: str, pattern: dict[str, Any]) -> None:
        self.sqs = session.client("sqs")
        events = session.client("events")
        name = f"consumer-{len(json.dumps(pattern))}"
        self.url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])
        events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
        events.put_targets(
            Rule=name,
            EventBusName=bus,
            Targets=[{"Id": "queue", "Arn": arn["Attributes"]["QueueArn"]}],
        )

    def received(self) -> list[dict[str, Any]]:
        found = []
        while messages := self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get(
            "Messages"
        ):
            for message in messages:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return found


@pytest.fixture
def pipe(stack: StackTemplate, aws: boto3.Session) -> PipePump:
    (pump,) = pipes_for(stack, aws)
    return pump


@pytest.fixture
def pump(
    stack: StackTemplate, aws: boto3.Session, pipe: PipePump, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], int]:
    enricher = cold_start(stack, "EventEnricherFunction", monkeypatch)
    assert pipe.enrichment == "EventEnricherFunction"
    events = aws.client("events")
    invocations: list[int] = []

    def enrich(_: str, batch: list[dict[str, Any]]) -> Any:
        assert len(batch) <= 10
        invocations.append(len(batch))
        return enricher.lambda_handler(batch, LambdaContext(function_name="EventEnricher"))

    def run() -> int:
        return pipe.run_once(enrich, events)

    return run


@pytest.fixture
def store(stack: StackTemplate, aws: boto3.Session) -> BankDataStore:
    data = BankDataStore(stack.refs["DataTable"], aws.client("dynamodb"))
    data.register_account(ACCOUNT, AS_OF)
    return data


def validate(detail: dict[str, Any]) -> None:
    schema = json.loads((SCHEMAS / f"{detail['type']}.json").read_text())
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(detail)


def test_a_rule_on_the_bus_receives_every_kind_of_event(
    stack: StackTemplate, aws: boto3.Session, store: BankDataStore, pump: Callable[[], int]
) -> None:
    consumer = Consumer(aws, stack.refs["EventBus"], {"source": ["banksync"]})
    pump()  # the registration is no event
    store.save_balance(
        "acc-1",
        {"ledger_balance": 7489.42, "available_balance": 7484.42, "currency": "NGN"},
        AS_OF,
        "2026-12-03T08:00:20.000Z",
    )
    store.save_transactions("acc-1", [okra_row(n) for n in range(1, 4)], AS_OF)
    store.mark_reauth_required("acc-1", "token expired", "2026-12-03T08:01:00.000Z", AS_OF)
    store.clear_reauth("cus-1", "bank-1", "2026-12-03T08:02:00.000Z", "rec-1")
    runs = RefreshRunStore(stack.refs["DataTable"], aws.client("dynamodb"))
    run = RefreshRun("rs_1", AS_OF, "2026-12-03T08:15:00.000Z", request={"priority": "on_demand"})
    runs.create_run(run)
    run.status, run.finished_at, run.counts = RunStatus.COMPLETED, AS_OF, {"succeeded": 2}
    runs.save_run(run)

    assert pump() == 5
    received = consumer.received()
    assert {(e["source"], e["detail-type"]) for e in received} == {("banksync", "banksync.event")}
    by_type = {e["detail"]["type"]: e["detail"] for e in received}
    assert set(by_type) == {
        "banksync.balance.updated",
        "banksync.transactions.changed",
        "banksync.account.reauth_required",
        "banksync.account.reauthorised",
        "banksync.refresh.completed",
    }
    for detail in by_type.values():
        validate(detail)
    assert (by_type["banksync.balance.updated"]["ledger"]) == 748942
    changed = by_type["banksync.transactions.changed"]
    assert (changed["added"], changed["modified"], changed["removed"]) == (3, 0, 0)
    assert by_type["banksync.refresh.completed"]["status"] == "completed"


def test_the_cursor_of_transactions_changed_reads_exactly_those_changes(
    stack: StackTemplate, aws: boto3.Session, store: BankDataStore, pump: Callable[[], int]
) -> None:
    pattern = {"source": ["banksync"], "detail": {"type": ["banksync.transactions.changed"]}}
    consumer = Consumer(aws, stack.refs["EventBus"], pattern)
    store.save_transactions("acc-1", [okra_row(n) for n in range(1, 3)], AS_OF)
    pump()
    consumer.received()
    later = "2026-12-03T09:00:00.000Z"
    store.save_transactions("acc-1", [okra_row(n) for n in range(1, 5)], later)  # 3, 4 are new
    # A balance in between is no concern of this consumer's rule.
    store.save_balance("acc-1", {"ledger_balance": 1, "currency": "NGN"}, later, later)
    pump()
    (event,) = consumer.received()
    detail = event["detail"]
    assert (detail["added"], detail["modified"], detail["removed"]) == (2, 0, 0)
    page = ChangeFeed(stack.refs["DataTable"], aws.client("dynamodb")).account_page(
        "acc-1", detail["cursor"], 100
    )
    assert [t["transaction_id"] for t in page.added] == ["txn-3", "txn-4"]
    assert page.modified == page.removed == []
    assert not page.has_more


def test_many_changes_reach_the_bus_in_batches_the_bus_accepts(
    stack: StackTemplate, aws: boto3.Session, store: BankDataStore, pump: Callable[[], int]
) -> None:
    consumer = Consumer(aws, stack.refs["EventBus"], {"source": ["banksync"]})
    store.save_transactions("acc-1", [okra_row(n) for n in range(1, 26)], AS_OF)
    assert pump() == 3  # 25 changes in batches of 10: one event per account per batch
    details = [e["detail"] for e in consumer.received()]
    assert sum(d["added"] for d in details) == 25
    positions = sorted(decode_cursor(d["cursor"])[1] for d in details)
    assert positions == [0, 10, 20]  # each batch's event reads from just before its changes
    feed = ChangeFeed(stack.refs["DataTable"], aws.client("dynamodb"))
    assert len(feed.account_page("acc-1", encode_cursor("account:acc-1", 0), 100)) == 25


def test_unrelated_writes_reach_neither_the_enrichment_nor_the_bus(
    stack: StackTemplate, aws: boto3.Session, store: BankDataStore, pipe: PipePump
) -> None:
    consumer = Consumer(aws, stack.refs["EventBus"], {"source": ["banksync"]})
    store.register_account(ACCOUNT, "2026-12-03T09:00:00.000Z")
    runs = RefreshRunStore(stack.refs["DataTable"], aws.client("dynamodb"))
    runs.create_run(RefreshRun("rs_2", AS_OF, AS_OF))

    def enrich(_: str, batch: list[dict[str, Any]]) -> Any:
        raise AssertionError(f"enrichment invoked with {batch}")

    assert pipe.run_once(enrich, aws.client("events")) == 0
    assert consumer.received() == []


def test_a_subscribers_webhook_turned_off_and_resumed_reaches_the_bus(
    stack: StackTemplate, aws: boto3.Session, pump: Callable[[], int]
) -> None:
    table = stack.refs["DataTable"]
    client = aws.client("dynamodb")
    subscriptions = SubscriptionStore(table, client)
    client.put_item(
        TableName=table,
        Item=to_item(
            {
                "pk": "SUBSCRIPTION#sub_ops",
                "sk": "SUBSCRIPTION",
                "entity": "subscription",
                "subscription_id": "sub_ops",
                "customer": "cus-1",
                "webhook_url": "https://receiver.example/hooks",
                "webhook_state": "enabled",
                "version": 1,
                "updated_at": AS_OF,
            }
        ),
    )
    consumer = Consumer(
        aws, stack.refs["EventBus"], {"detail": {"type": [{"prefix": "banksync.subscription."}]}}
    )
    pump()  # a new subscription is no event
    assert subscriptions.note_webhook_failure("sub_ops", AS_OF)  # one failure: no event
    assert subscriptions.set_webhook_state("sub_ops", "failing", "every attempt failed", AS_OF)
    assert pump() == 1
    (off,) = [e["detail"] for e in consumer.received()]
    validate(off)
    assert (off["type"], off["webhook_state"]) == (
        "banksync.subscription.webhook_disabled",
        "failing",
    )
    assert off["reason"] == "every attempt failed"
