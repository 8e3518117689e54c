"""Subscriptions in the DataTable (``pk=SUBSCRIPTION#<id>``; by customer on gsi1,
all of them on gsi2). Writes are conditional on the version the caller read."""

from typing import Any

import boto3
from botocore.exceptions import ClientError

from banksync.dynamo import from_item, to_item
from banksync.paging import decode_token, encode_token
from banksync.subscriptions.models import Subscription


class VersionConflictError(Exception):
    """Someone else changed the subscription since it was read."""


class SubscriptionStore:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table = table_name
        self._client = client or boto3.client("dynamodb")

    def get(self, subscription_id: str) -> Subscription | None:
        key = to_item({"pk": f"SUBSCRIPTION#{subscription_id}", "sk": "SUBSCRIPTION"})
        found = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        return Subscription.from_record(from_item(found["Item"])) if "Item" in found else None

    def save(self, subscription: Subscription, read_version: int | None) -> None:
        """Write ``subscription``; ``read_version`` None means it must be new."""
        if read_version is None:
            condition, values = "attribute_not_exists(pk)", None
        else:
            condition, values = "version = :read", to_item({":read": read_version})
        request: dict[str, Any] = {
            "TableName": self._table,
            "Item": to_item(subscription.to_record()),
            "ConditionExpression": condition,
        }
        if values:
            request["ExpressionAttributeValues"] = values
        try:
            self._client.put_item(**request)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise VersionConflictError(subscription.subscription_id) from None
            raise

    def delete(self, subscription: Subscription) -> None:
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=to_item(subscription.key),
                ConditionExpression="version = :read",
                ExpressionAttributeValues=to_item({":read": subscription.version}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise VersionConflictError(subscription.subscription_id) from None
            raise

    def of_customer(self, customer: str) -> list[Subscription]:
        subscriptions, _ = self.page(customer, limit=1000, next_token=None)
        return subscriptions

    def page(
        self, customer: str | None, limit: int, next_token: str | None
    ) -> tuple[list[Subscription], str | None]:
        request: dict[str, Any] = {"TableName": self._table, "Limit": limit}
        if customer:
            request |= {
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :pk AND begins_with(gsi1sk, :kind)",
                "ExpressionAttributeValues": to_item(
                    {":pk": f"CUSTOMER#{customer}", ":kind": "SUBSCRIPTION#"}
                ),
            }
        else:
            request |= {
                "IndexName": "gsi2",
                "KeyConditionExpression": "gsi2pk = :pk",
                "ExpressionAttributeValues": to_item({":pk": "SUBSCRIPTIONS"}),
            }
        if next_token:
            request["ExclusiveStartKey"] = decode_token(next_token)
        try:
            answer = self._client.query(**request)
        except ClientError as error:
            if next_token and error.response["Error"]["Code"] == "ValidationException":
                raise ValueError("next_token is not one this API gave") from None
            raise
        found = [Subscription.from_record(from_item(raw)) for raw in answer["Items"]]
        last = answer.get("LastEvaluatedKey")
        return found, encode_token(last) if last else None
