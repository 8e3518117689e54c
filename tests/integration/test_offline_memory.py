"""The embedded AWS keeps what is live, not every model it ever built.

The offline stack runs for hours; before, each TransactWriteItems left a
whole copy of its table (items and stream records) in moto's model tracking,
so memory grew with every transaction times the table's size; and streams
kept every shard iterator and record ever made.
"""

import gc
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import StreamRecord, Table
from moto.dynamodbstreams.models import dynamodbstreams_backends

from devstack import moto_streams
from devstack.template import StackTemplate

ROUNDS = 30


def live(kind: type) -> int:
    gc.collect()
    return sum(isinstance(o, kind) for o in gc.get_objects())


def put(table: str, sk: str) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": {"pk": {"S": "P"}, "sk": {"S": sk}}}}


def test_transactions_leave_no_table_copies_behind(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    client, table = aws.client("dynamodb"), stack.refs["DataTable"]
    for n in range(20):  # a table worth copying
        client.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": f"seed-{n}"}})
    tables, items = live(Table), live(Item)
    for n in range(ROUNDS):
        client.transact_write_items(TransactItems=[put(table, f"txn-{n}")])  # type: ignore[list-item]
    assert live(Table) == tables, "a table copy outlived its transaction"
    # The items written, not a copy of the table per transaction (≥ 20 items each).
    assert live(Item) - items <= 2 * ROUNDS


def test_stream_records_read_through_an_iterator_are_the_only_ones_kept(
    aws: boto3.Session, stack: StackTemplate
) -> None:
    client, table = aws.client("dynamodb"), stack.refs["DataTable"]
    streams = aws.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
    arn = stack.attributes["DataTable.StreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")[
        "ShardIterator"
    ]
    before = live(StreamRecord)
    for n in range(ROUNDS):
        client.transact_write_items(TransactItems=[put(table, f"txn-{n}")])  # type: ignore[list-item]
        answer = streams.get_records(ShardIterator=iterator)
        assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in answer["Records"]] == [f"txn-{n}"]
        iterator = answer["NextShardIterator"]
    # One record per write in the table's stream; none in copies of the stream.
    assert live(StreamRecord) - before == ROUNDS


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_iterators_expire_and_records_are_trimmed_as_dynamodb_does(
    aws: boto3.Session, stack: StackTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(moto_streams, "clock", clock)
    client, table = aws.client("dynamodb"), stack.refs["DataTable"]
    streams = aws.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
    arn = stack.attributes["DataTable.StreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]

    def oldest() -> Any:
        return streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]

    backend = dynamodbstreams_backends[stack.account_id][stack.region]
    for n in range(ROUNDS):  # a pump's polls: each answer hands out a new iterator
        client.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": f"old-{n}"}})
        streams.get_records(ShardIterator=oldest())
    stale = oldest()
    clock.now += moto_streams.ITERATOR_LIFETIME + 1
    client.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": "new"}})
    with pytest.raises(ClientError, match="ExpiredIterator"):
        streams.get_records(ShardIterator=stale)
    assert len(backend.shard_iterators) == 0, "every expired iterator forgotten"
    keys = [
        r["dynamodb"]["Keys"]["sk"]["S"]
        for r in streams.get_records(ShardIterator=oldest())["Records"]
    ]
    assert keys == [f"old-{n}" for n in range(ROUNDS)] + ["new"], "within retention: all kept"

    clock.now = moto_streams.RECORD_RETENTION - 1
    reader = oldest()
    clock.now += 2  # the old records pass retention while a reader is behind them
    with pytest.raises(ClientError, match="TrimmedDataAccess"):
        streams.get_records(ShardIterator=reader)
    answer = streams.get_records(ShardIterator=oldest())
    assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in answer["Records"]] == ["new"]
    newest = answer["Records"][0]["dynamodb"]["SequenceNumber"]
    client.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": "next"}})
    after = streams.get_records(ShardIterator=answer["NextShardIterator"])["Records"]
    assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in after] == ["next"]
    assert int(after[0]["dynamodb"]["SequenceNumber"]) == int(newest) + 1, "numbers go on"
