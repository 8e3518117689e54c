"""Subscriptions in the DataTable (``pk=SUBSCRIPTION#<id>``; by customer on gsi1,
all of them on gsi2). Writes are conditional on the version the caller read.

A customer's accounts are refreshed by one subscription only: one for all banks,
or any number for one bank each. Reading the customer's subscriptions before
writing cannot ensure that (two requests both read "none"), so each customer has
a coverage record (``pk=COVERAGE#<customer>``: the all-banks subscription, the
count of one-bank ones), changed in one transaction with the subscription it
counts, on the condition that the two kinds never meet.
"""

from typing import Any

import boto3
from botocore.exceptions import ClientError

from banksync.dynamo import from_item, to_item
from banksync.paging import decode_token, encode_token
from banksync.subscriptions.models import Subscription


class VersionConflictError(Exception):
    """Someone else changed the subscription since it was read."""


class OverlapError(Exception):
    """The customer's accounts are covered by another subscription already."""


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
        put: dict[str, Any] = {"TableName": self._table, "Item": to_item(subscription.to_record())}
        if read_version is not None:
            put |= {
                "ConditionExpression": "version = :read",
                "ExpressionAttributeValues": to_item({":read": read_version}),
            }
            self._write(subscription.subscription_id, [{"Put": put}])
            return
        put["ConditionExpression"] = "attribute_not_exists(pk)"
        self._write(subscription.subscription_id, [{"Put": put}, self._cover(subscription)])

    def delete(self, subscription: Subscription) -> None:
        delete = {
            "TableName": self._table,
            "Key": to_item(subscription.key),
            "ConditionExpression": "version = :read",
            "ExpressionAttributeValues": to_item({":read": subscription.version}),
        }
        self._write(subscription.subscription_id, [{"Delete": delete}, self._uncover(subscription)])

    def _cover(self, subscription: Subscription) -> dict[str, Any]:
        if subscription.bank is None:
            # Counts at or below zero: coverage written before one-bank deletions counted.
            update = {
                "UpdateExpression": "SET all_banks = :sid",
                "ConditionExpression": (
                    "attribute_not_exists(all_banks) AND (attribute_not_exists(banks) "
                    "OR banks <= :zero)"
                ),
                "ExpressionAttributeValues": to_item(
                    {":sid": subscription.subscription_id, ":zero": 0}
                ),
            }
        else:
            update = {
                "UpdateExpression": "ADD banks :one",
                "ConditionExpression": "attribute_not_exists(all_banks)",
                "ExpressionAttributeValues": to_item({":one": 1}),
            }
        return {"Update": {"TableName": self._table, "Key": _coverage(subscription), **update}}

    def _uncover(self, subscription: Subscription) -> dict[str, Any]:
        if subscription.bank is None:
            update: dict[str, Any] = {"UpdateExpression": "REMOVE all_banks"}
        else:
            update = {
                "UpdateExpression": "ADD banks :less",
                "ExpressionAttributeValues": to_item({":less": -1}),
            }
        return {"Update": {"TableName": self._table, "Key": _coverage(subscription), **update}}

    def _write(self, subscription_id: str, actions: list[Any]) -> None:
        try:
            if len(actions) == 1:
                self._client.put_item(**actions[0]["Put"])
            else:
                self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "ConditionalCheckFailedException":
                raise VersionConflictError(subscription_id) from None
            if code == "TransactionCanceledException":
                reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
                if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                    raise OverlapError(subscription_id) from None
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    raise VersionConflictError(subscription_id) from None
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


def _coverage(subscription: Subscription) -> dict[str, Any]:
    return to_item({"pk": f"COVERAGE#{subscription.customer}", "sk": "COVERAGE"})
