"""Deliveries in the DataTable; each attempt is appended with a condition on the count,
so a duplicated queue message can never fork a second chain of attempts."""

from typing import Any

import boto3
from botocore.exceptions import ClientError

from banksync.delivery.model import Delivery, DeliveryStatus
from banksync.dynamo import conditional, from_item, to_item
from banksync.paging import BadTokenError, between, encode_token, start_key


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

    def find(self, delivery_id: str) -> Delivery | None:
        """A delivery by its id alone (the index names its subscription; the table is
        then read consistently)."""
        # gsi2 holds the deliveries created before the keys-only gsi3 existed.
        for index in ("gsi3", "gsi2"):
            answer = self._client.query(
                TableName=self._table,
                IndexName=index,
                KeyConditionExpression=f"{index}pk = :pk",
                ExpressionAttributeValues=to_item({":pk": f"DELIVERY#{delivery_id}"}),
                Limit=1,
            )
            if answer["Items"]:
                subscription = str(from_item(answer["Items"][0])["pk"])
                return self.get(subscription.removeprefix("SUBSCRIPTION#"), delivery_id)
        return None

    def of_subscription(self, subscription_id: str) -> list[Delivery]:
        answer = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :deliveries)",
            ExpressionAttributeValues=to_item(
                {":pk": f"SUBSCRIPTION#{subscription_id}", ":deliveries": "DELIVERY#"}
            ),
        )
        return [Delivery.from_record(from_item(raw)) for raw in answer["Items"]]

    def page(
        self,
        subscription_id: str,
        status: str | None,
        since: str | None,
        limit: int,
        next_token: str | None,
        until: str | None = None,
    ) -> tuple[list[Delivery], str | None]:
        """A subscription's deliveries newest first, created at or after ``since``
        (and before ``until``); a ``status`` narrows the page, which may then hold
        fewer than ``limit`` and still be followed by a ``next_token``."""
        partition = f"DELIVERIES#{subscription_id}"
        condition, bounds = between(partition, since, until)
        values: dict[str, Any] = dict(bounds)
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi1",
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if status:
            request["FilterExpression"] = "#status = :status"
            request["ExpressionAttributeNames"] = {"#status": "status"}
            values[":status"] = status
        request["ExpressionAttributeValues"] = to_item(values)
        if next_token:
            request["ExclusiveStartKey"] = start_key(next_token, "gsi1", partition)
        try:
            answer = self._client.query(**request)
        except ClientError as error:
            if next_token and error.response["Error"]["Code"] == "ValidationException":
                raise BadTokenError() from None
            raise
        found = [Delivery.from_record(from_item(raw)) for raw in answer["Items"]]
        last = answer.get("LastEvaluatedKey")
        return found, encode_token(last) if last else None

    def record_attempt(
        self,
        delivery: Delivery,
        attempt: dict[str, Any],
        status: DeliveryStatus,
        at: str,
        reason: str | None = None,
        next_attempt_at: str | None = None,
        webhook_url: str | None = None,
    ) -> bool:
        """Append attempt number ``delivery.attempt_count`` (made to ``webhook_url``, the
        subscription's at the time); False if it was recorded already, or the delivery
        was stopped meanwhile."""
        values: dict[str, Any] = {
            ":attempt": [attempt],
            ":next": delivery.attempt_count + 1,
            ":count": delivery.attempt_count,
            ":status": status,
            ":pending": "pending",
            ":at": attempt["at"],
        }
        update = (
            "SET attempts = list_append(attempts, :attempt), attempt_count = :next, "
            "#status = :status, first_attempt_at = if_not_exists(first_attempt_at, :at), "
            "window_started_at = if_not_exists(window_started_at, :at)"
        )
        removed = []
        if status != "pending":
            update += ", finished_at = :finished"
            values[":finished"] = at
            removed.append("next_attempt_at")
        if reason:
            update += ", reason = :reason"
            values[":reason"] = reason
        if next_attempt_at:
            update += ", next_attempt_at = :next_at"
            values[":next_at"] = next_attempt_at
        if webhook_url:
            update += ", webhook_url = :url"
            values[":url"] = webhook_url
        if removed:
            update += " REMOVE " + ", ".join(removed)
        return conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item(delivery.key),
                UpdateExpression=update,
                ConditionExpression="attempt_count = :count AND #status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(values),
            )
        )

    def record_late_attempt(
        self, delivery: Delivery, attempt: dict[str, Any], at: str, webhook_url: str
    ) -> bool:
        """Append an attempt that was under way when the delivery was stopped: the log
        keeps every POST made. A 2xx still delivered it."""
        delivered = 200 <= int(attempt.get("status_code") or 0) < 300
        values: dict[str, Any] = {
            ":attempt": [attempt],
            ":next": delivery.attempt_count + 1,
            ":count": delivery.attempt_count,
            ":chain": delivery.chain,
            ":pending": "pending",
            ":url": webhook_url,
        }
        update = (
            "SET attempts = list_append(attempts, :attempt), attempt_count = :next, "
            "webhook_url = :url"
        )
        if delivered:
            update += ", #status = :delivered, finished_at = :at REMOVE reason"
            values |= {":delivered": "delivered", ":at": at}
        return conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item(delivery.key),
                UpdateExpression=update,
                ConditionExpression=(
                    "attempt_count = :count AND chain = :chain AND #status <> :pending"
                ),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(values),
            )
        )

    def stop(self, delivery: Delivery, reason: str, at: str) -> bool:
        """End a pending delivery without another attempt (its subscription was paused,
        deleted or its webhook turned off); False if it changed since it was read."""
        return conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item(delivery.key),
                UpdateExpression=(
                    "SET #status = :abandoned, reason = :reason, finished_at = :at "
                    "REMOVE next_attempt_at"
                ),
                ConditionExpression="attempt_count = :count AND #status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(
                    {
                        ":abandoned": "abandoned",
                        ":reason": reason[:500],
                        ":at": at,
                        ":count": delivery.attempt_count,
                        ":pending": "pending",
                    }
                ),
            )
        )
