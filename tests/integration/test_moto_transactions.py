"""The embedded AWS's TransactWriteItems: no table copied, the same all-or-nothing."""

import copy
import threading
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models.table import Table

from devstack.template import StackTemplate


def put(table: str, sk: str, condition: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"TableName": table, "Item": {"pk": {"S": "P"}, "sk": {"S": sk}}}
    if condition:
        action["ConditionExpression"] = condition
    return {"Put": action}


def test_a_failed_transaction_still_leaves_nothing_and_copies_no_table(
    aws: boto3.Session, stack: StackTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, table = aws.client("dynamodb"), stack.refs["DataTable"]
    client.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": "taken"}})
    copied: list[Any] = []
    original = copy.deepcopy

    def counting(value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table):
            copied.append(value)
        return original(value, memo)

    monkeypatch.setattr(copy, "deepcopy", counting)
    client.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": "kept"}, "n": {"N": "1"}})
    actions = [put(table, f"new-{n}") for n in range(20)]
    bump: dict[str, Any] = {
        "TableName": table,
        "Key": {"pk": {"S": "P"}, "sk": {"S": "kept"}},
        "UpdateExpression": "ADD n :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    actions += [
        {"Update": bump},
        {"Delete": {"TableName": table, "Key": bump["Key"] | {"sk": {"S": "taken"}}}},
    ]
    actions.append(put(table, "gone", "attribute_exists(pk)"))
    with pytest.raises(ClientError, match="TransactionCanceled"):
        client.transact_write_items(TransactItems=actions)  # type: ignore[arg-type]
    assert copied == [], "a transaction costs the items it names, not its table"
    kept = client.get_item(TableName=table, Key=bump["Key"])["Item"]
    assert kept["n"] == {"N": "1"}, "an update made before the failing action is undone"
    items = client.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "P"}},
    )["Items"]
    assert [item["sk"]["S"] for item in items] == ["kept", "taken"], "rolled back"
    client.transact_write_items(TransactItems=actions[:20])  # type: ignore[arg-type]
    count = client.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "P"}},
        Select="COUNT",
    )["Count"]
    assert count == 22


def write_lock_free_elsewhere() -> bool:
    """Whether another thread could take the embedded AWS's write lock right now."""
    from devstack import moto_transactions

    found: list[bool] = []

    def probe() -> None:
        taken = moto_transactions._writes.acquire(blocking=False)
        if taken:
            moto_transactions._writes.release()
        found.append(taken)

    other = threading.Thread(target=probe)
    other.start()
    other.join()
    return found[0]


def test_no_write_runs_while_a_transaction_runs(
    aws: boto3.Session, stack: StackTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another thread's write in the middle of a transaction would make it non-atomic
    (and its rollback wrong): every write waits for it."""
    client, table = aws.client("dynamodb"), stack.refs["DataTable"]
    seen: list[bool] = []
    original_put = Table.put_item

    def probing_put(self: Table, *args: Any, **kwargs: Any) -> Any:
        seen.append(write_lock_free_elsewhere())
        return original_put(self, *args, **kwargs)

    monkeypatch.setattr(Table, "put_item", probing_put)
    client.transact_write_items(TransactItems=[put(table, "one"), put(table, "two")])  # type: ignore[list-item]
    assert seen == [False, False], "a transaction's writes are made under the write lock"
    client.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": "three"}})
    assert seen == [False, False, False], "a plain write holds the same lock"


def test_a_cancelled_transaction_leaves_the_stream_readers_attached_and_unaware(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    client, table = aws.client("dynamodb"), stack.refs["DataTable"]
    streams = aws.client("dynamodbstreams")
    arn = client.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")[
        "ShardIterator"
    ]
    client.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": "taken"}})
    cancelled = [put(table, "lost"), put(table, "taken", "attribute_not_exists(pk)")]
    with pytest.raises(ClientError, match="TransactionCanceled"):
        client.transact_write_items(TransactItems=cancelled)  # type: ignore[arg-type]
    client.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": "after"}})

    records = streams.get_records(ShardIterator=iterator)["Records"]
    written = [r["dynamodb"]["Keys"]["sk"]["S"] for r in records]
    assert written == ["taken", "after"], "the cancelled write never shows; the next one does"
    assert "Item" not in client.get_item(
        TableName=table, Key={"pk": {"S": "P"}, "sk": {"S": "lost"}}
    )
