"""examples/stream-consumer on moto, beside the stack: provisioned from its own template,
its import resolved from banksync's exports, its filtered event source pumped."""

from typing import Any

import boto3
import pytest

from devstack.consumer_stack import ConsumerStack, consumer_stack
from devstack.event_sources import SourcePump
from devstack.lambdas import LambdaContext
from devstack.sandbox import AccountSpec, Scenario, World
from devstack.streams import StreamPump
from devstack.template import StackTemplate
from tests.support.workflow import RefreshHarness

FUNCTION = "NewTransactionsFunction"


@pytest.fixture
def consumer(aws: boto3.Session, stack: StackTemplate) -> ConsumerStack:
    return consumer_stack(stack, aws)


def ledger(aws: boto3.Session, consumer: ConsumerStack) -> dict[str, dict[str, Any]]:
    table = consumer.template.refs["LedgerTable"]
    items = aws.client("dynamodb").scan(TableName=table)["Items"]
    return {item["transaction_id"]["S"]: item for item in items}


def stored_transactions(aws: boto3.Session, stack: StackTemplate, account: str) -> set[str]:
    answer = aws.client("dynamodb").query(
        TableName=stack.refs["DataTable"],
        KeyConditionExpression="pk = :pk AND begins_with(sk, :txn)",
        ExpressionAttributeValues={":pk": {"S": f"ACCOUNT#{account}"}, ":txn": {"S": "TXN#"}},
    )
    return {item["sk"]["S"].removeprefix("TXN#") for item in answer["Items"]}


def pump(consumer: ConsumerStack) -> int:
    (source,) = consumer.pumps[FUNCTION]
    handler = consumer.handlers[FUNCTION]
    return source.run_once(lambda event: handler(event, LambdaContext(function_name=FUNCTION)))


def test_the_stream_arn_is_imported_from_banksyncs_exports(
    stack: StackTemplate, consumer: ConsumerStack
) -> None:
    exports = stack.exports()
    assert (
        exports[f"{stack.stack_name}-DataTableStreamArn"] == stack.attributes["DataTable.StreamArn"]
    )
    for name in ("DataTableName", "DataTableArn", "EventsTableName", "EventsTableStreamArn"):
        assert f"{stack.stack_name}-{name}" in exports
    events = consumer.template.properties(FUNCTION)["Events"]
    assert (
        events["NewTransactions"]["Properties"]["Stream"] == stack.attributes["DataTable.StreamArn"]
    )


def test_only_new_transactions_pass_the_filter_each_recorded_once(
    aws: boto3.Session, stack: StackTemplate, refresh: RefreshHarness, consumer: ConsumerStack
) -> None:
    account = AccountSpec("acct-ledger", "cust-ledger", scenario=Scenario(ready_after=20))
    refresh.use(World(accounts=[account]))
    everything = StreamPump(aws, stack.attributes["DataTable.StreamArn"], start_at_latest=True)

    refresh.run({"refresh_id": "rs_ledger_1", "customer": "cust-ledger"})
    first = stored_transactions(aws, stack, account.account_id)
    assert pump(consumer) == len(first) > 0
    assert set(ledger(aws, consumer)) == first

    # The second refresh adds rows and clears pending ones (MODIFY): only the added pass.
    refresh.run({"refresh_id": "rs_ledger_2", "customer": "cust-ledger"})
    second = stored_transactions(aws, stack, account.account_id)
    assert pump(consumer) == len(second - first) > 0
    assert set(ledger(aws, consumer)) == second
    records = everything.poll()
    kinds = {r["dynamodb"]["NewImage"].get("entity", {}).get("S") for r in records}
    assert {"refresh_run", "refresh_item", "transaction"} <= kinds  # all went by on the stream
    assert any(
        r["eventName"] == "MODIFY" and "TXN#" in r["dynamodb"]["Keys"]["sk"]["S"] for r in records
    )


def test_a_record_it_does_not_understand_fails_alone(
    aws: boto3.Session, stack: StackTemplate, refresh: RefreshHarness, consumer: ConsumerStack
) -> None:
    account = AccountSpec("acct-odd", "cust-odd", scenario=Scenario(ready_after=20))
    refresh.use(World(accounts=[account]))
    (source,) = consumer.pumps[FUNCTION]
    refresh.run({"refresh_id": "rs_odd", "customer": "cust-odd"})
    records = _filtered(source)
    assert len(records) >= 2
    odd = {**records[1], "dynamodb": {**records[1]["dynamodb"]}}
    odd["dynamodb"]["NewImage"] = {**odd["dynamodb"]["NewImage"], "schema_version": {"N": "2"}}

    answer = consumer.handlers[FUNCTION](
        {"Records": [records[0], odd]}, LambdaContext(function_name=FUNCTION)
    )

    assert answer == {"batchItemFailures": [{"itemIdentifier": odd["dynamodb"]["SequenceNumber"]}]}
    recorded = ledger(aws, consumer)
    assert set(recorded) == {records[0]["dynamodb"]["NewImage"]["transaction_id"]["S"]}


def _filtered(source: SourcePump) -> list[dict[str, Any]]:
    delivered: list[dict[str, Any]] = []
    source.run_once(lambda event: delivered.extend(event["Records"]))
    return delivered
