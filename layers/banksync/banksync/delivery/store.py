"""Deliveries in the DataTable; each attempt is appended with a condition on the count,
so a duplicated queue message can never fork a second chain of attempts."""

from typing import Any

import boto3

from banksync.delivery.model import Delivery, DeliveryStatus
from banksync.dynamo import conditional, from_item, to_item


class DeliveryStore:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table = table_name
        self._client = client or boto3.client("dynamodb")

    def create(self, delivery: Delivery) -> bool:
        return conditional(
            lambda: self._client.put_item(
                TableName=self._table,
                Item=to_item(delivery.to_record()),
                ConditionExpression="attribute_not_exists(pk)",
            )
        )

    def get(self, subscription_id: str, delivery_id: str) -> Delivery | None:
        key = {"pk": f"SUBSCRIPTION#{subscription_id}", "sk": f"DELIVERY#{delivery_id}"}
        found = self._client.get_item(TableName=self._table, Key=to_item(key), ConsistentRead=True)
        return Delivery.from_record(from_item(found["Item"])) if "Item" in found else None

    def of_subscription(self, subscription_id: str) -> list[Delivery]:
        answer = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :deliveries)",
            ExpressionAttributeValues=to_item(
                {":pk": f"SUBSCRIPTION#{subscription_id}", ":deliveries": "DELIVERY#"}
            ),
        )
        return [Delivery.from_record(from_item(raw)) for raw in answer["Items"]]

    def record_attempt(
        self, delivery: Delivery, attempt: dict[str, Any], status: DeliveryStatus, at: str
    ) -> bool:
        """Append attempt number ``delivery.attempt_count``; False if it was recorded already."""
        finished = {":finished": at} if status != "pending" else {}
        return conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item(delivery.key),
                UpdateExpression=(
                    "SET attempts = list_append(attempts, :attempt), attempt_count = :next, "
                    "#status = :status, first_attempt_at = if_not_exists(first_attempt_at, :at)"
                    + (", finished_at = :finished" if finished else "")
                ),
                ConditionExpression="attempt_count = :count AND #status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(
                    {
                        ":attempt": [attempt],
                        ":next": delivery.attempt_count + 1,
                        ":count": delivery.attempt_count,
                        ":status": status,
                        ":pending": "pending",
                        ":at": attempt["at"],
                        **finished,
                    }
                ),
            )
        )
