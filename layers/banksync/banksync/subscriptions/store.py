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

from banksync.dynamo import conditional, from_item, to_item
from banksync.paging import BadTokenError, encode_token, start_key
from banksync.subscriptions.models import SCHEMA_VERSION, Subscription


class VersionConflictError(Exception):
    """Someone else changed the subscription since it was read."""


class OverlapError(Exception):
    """The customer's accounts are covered by another subscription already."""


class SubscriptionStore:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table = table_name
        self._client = client or boto3.client("dynamodb")

    @property
    def client(self) -> Any:
        return self._client

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
        return _coverage_update(self._table, subscription, update)

    def _uncover(self, subscription: Subscription) -> dict[str, Any]:
        if subscription.bank is None:
            update: dict[str, Any] = {"UpdateExpression": "REMOVE all_banks"}
        else:
            update = {
                "UpdateExpression": "ADD banks :less",
                "ExpressionAttributeValues": to_item({":less": -1}),
            }
        return _coverage_update(self._table, subscription, update)

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

    def set_webhook_state(self, subscription_id: str, state: str, reason: str, at: str) -> bool:
        """Turn the webhook off (``disabled``, ``failing``); False if it was off already.
        The version moves, so a writer holding an older read cannot turn it back on."""
        return self._webhook_update(
            "SET webhook_state = :state, webhook_disabled_reason = :reason, "
            "webhook_disabled_at = :at, version = version + :one",
            "attribute_exists(pk) AND (attribute_not_exists(webhook_state) "
            "OR webhook_state = :enabled)",
            {":state": state, ":reason": reason[:500], ":at": at, ":enabled": "enabled"},
            subscription_id,
        )

    def note_webhook_failure(self, subscription_id: str, at: str) -> bool:
        """The first failed attempt since the endpoint last took a delivery."""
        return self._webhook_update(
            "SET webhook_failing_since = :at, version = version + :one",
            "attribute_exists(pk) AND attribute_not_exists(webhook_failing_since)",
            {":at": at},
            subscription_id,
        )

    def note_webhook_success(self, subscription_id: str) -> bool:
        return self._webhook_update(
            "REMOVE webhook_failing_since SET version = version + :one",
            "attribute_exists(webhook_failing_since)",
            {},
            subscription_id,
        )

    def _webhook_update(
        self, update: str, condition: str, values: dict[str, Any], subscription_id: str
    ) -> bool:
        key = to_item({"pk": f"SUBSCRIPTION#{subscription_id}", "sk": "SUBSCRIPTION"})
        return conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeValues=to_item({**values, ":one": 1}),
            )
        )

    def of_customer(self, customer: str) -> list[Subscription]:
        subscriptions, _ = self.page(customer, limit=1000, next_token=None)
        return subscriptions

    def page(
        self,
        customer: str | None,
        limit: int,
        next_token: str | None,
        webhook_state: str | None = None,
    ) -> tuple[list[Subscription], str | None]:
        """A page of subscriptions, newest first; a customer's by bank. ``webhook_state``
        narrows it (a page may then hold fewer than ``limit``, and still be followed by
        a ``next_token``)."""
        request: dict[str, Any] = {"TableName": self._table, "Limit": limit}
        if customer:
            start = start_key(next_token, "gsi1", f"CUSTOMER#{customer}", "SUBSCRIPTION#")
            request |= {
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :pk AND begins_with(gsi1sk, :kind)",
                "ExpressionAttributeValues": to_item(
                    {":pk": f"CUSTOMER#{customer}", ":kind": "SUBSCRIPTION#"}
                ),
            }
        else:
            start = start_key(next_token, "gsi2", "SUBSCRIPTIONS")
            request |= {
                "IndexName": "gsi2",
                "KeyConditionExpression": "gsi2pk = :pk",
                "ExpressionAttributeValues": to_item({":pk": "SUBSCRIPTIONS"}),
                "ScanIndexForward": False,  # newest first (gsi2sk: <created_at>#<id>)
            }
        if webhook_state:
            # Subscriptions stored before webhooks had states are enabled.
            missing = (
                "attribute_not_exists(webhook_state) OR " if webhook_state == "enabled" else ""
            )
            request["FilterExpression"] = f"{missing}webhook_state = :webhook_state"
            request["ExpressionAttributeValues"] |= to_item({":webhook_state": webhook_state})
        if start:
            request["ExclusiveStartKey"] = start
        try:
            answer = self._client.query(**request)
        except ClientError as error:
            if start and error.response["Error"]["Code"] == "ValidationException":
                raise BadTokenError() from None
            raise
        found = [Subscription.from_record(from_item(raw)) for raw in answer["Items"]]
        last = answer.get("LastEvaluatedKey")
        return found, encode_token(last) if last else None


def _coverage(subscription: Subscription) -> dict[str, Any]:
    return to_item({"pk": f"COVERAGE#{subscription.customer}", "sk": "COVERAGE"})


def _coverage_update(
    table: str, subscription: Subscription, update: dict[str, Any]
) -> dict[str, Any]:
    """The coverage record's change, stamped as every item is (``entity``, ``schema_version``)."""
    expression = str(update["UpdateExpression"])
    stamp = "entity = :entity, schema_version = :schema"
    # One SET clause: prepend to it, or add one.
    if expression.startswith("SET "):
        expression = f"SET {stamp}, {expression[4:]}"
    else:
        expression = f"SET {stamp} {expression}"
    values = {**update.get("ExpressionAttributeValues", {})}
    values |= to_item({":entity": "coverage", ":schema": SCHEMA_VERSION})
    return {
        "Update": {
            "TableName": table,
            "Key": _coverage(subscription),
            **update,
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
        }
    }
