"""The embedded AWS's Query on a table's key reads the partition, and answers as before."""

from typing import Any

import boto3
import pytest
from moto.dynamodb.models.table import Table

from devstack.template import StackTemplate


def page(client: Any, table: str, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = client.query(
        TableName=table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :items)",
        ExpressionAttributeValues={":pk": {"S": "P"}, ":items": {"S": "ITEM#"}},
        **extra,
    )
    return answer


def test_a_query_lists_its_partition_only_and_answers_in_key_order_with_paging(
    aws: boto3.Session, stack: StackTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, table = aws.client("dynamodb"), stack.refs["DataTable"]
    for n in range(7):
        client.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": f"ITEM#{6 - n}"}})
    client.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": "RUN"}})
    for n in range(60):
        client.put_item(TableName=table, Item={"pk": {"S": f"Q{n}"}, "sk": {"S": "ITEM#0"}})
    listed: list[int] = []
    all_items = Table.all_items

    def counting(self: Table) -> Any:
        found = all_items(self)
        listed.append(len(found))
        return found

    monkeypatch.setattr(Table, "all_items", counting)
    first = page(client, table, Limit=3, ScanIndexForward=False)
    assert [i["sk"]["S"] for i in first["Items"]] == ["ITEM#6", "ITEM#5", "ITEM#4"]
    rest = page(client, table, ScanIndexForward=False, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [i["sk"]["S"] for i in rest["Items"]] == ["ITEM#3", "ITEM#2", "ITEM#1", "ITEM#0"]
    assert listed == [8, 8], "the partition's 8 items, not the table's 68"
    assert client.scan(TableName=table, Select="COUNT")["Count"] == 68, "a scan sees them all"
    missing = client.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "absent"}},
    )
    assert missing["Items"] == []
