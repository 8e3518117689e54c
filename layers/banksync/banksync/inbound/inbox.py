"""The EventsTable: every accepted webhook, stored exactly once."""

from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from banksync.api_errors import ApiError
from banksync.observability import logger


class EventInbox:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table_name = table_name
        self._client = client or boto3.client("dynamodb")

    def put_once(self, item: dict[str, str | int]) -> bool:
        """Store ``item`` unless its ``event_id`` is already stored; True if stored.

        One conditional write: concurrent deliveries of one webhook race on the
        condition, and DynamoDB lets exactly one of them win.
        """
        try:
            self._client.put_item(
                TableName=self._table_name,
                Item={name: _attribute(value) for name, value in item.items()},
                ConditionExpression="attribute_not_exists(event_id)",
            )
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "ConditionalCheckFailedException":
                return False
            if code == "ValidationException":
                # DynamoDB will never store this item, however often it is sent:
                # a 4xx that says why, not a 503 the provider retries for hours.
                logger.warning("webhook not storable", extra={"event_id": item["event_id"]})
                raise ApiError(
                    422,
                    "unstorable_webhook",
                    "the webhook cannot be stored",
                    {"body": error.response["Error"].get("Message", "")[:200]},
                ) from None
            logger.exception("webhook store failed", extra={"event_id": item["event_id"]})
            raise StoreUnavailableError() from None
        except BotoCoreError:
            logger.exception("webhook store failed", extra={"event_id": item["event_id"]})
            raise StoreUnavailableError() from None
        return True


class StoreUnavailableError(ApiError):
    def __init__(self) -> None:
        super().__init__(503, "store_unavailable", "the webhook was not stored; retry later")


def _attribute(value: str | int) -> dict[str, str]:
    return {"N": str(value)} if isinstance(value, int) else {"S": value}
