"""How fresh an account's data is: when each product was last stored.

``<product>_synced_at`` on the account's profile holds the ``as_of`` of the
newest data stored for it, by a refresh or by the provider's push, or of the
provider's word that nothing was new. The daily sweep refreshes only what is
older than its threshold, so the provider's own daily refresh leaves it
almost nothing to do.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from banksync.dynamo import to_item


def synced_attribute(product: str) -> str:
    return f"{product}_synced_at"


def stale_products(
    account: dict[str, Any], products: Iterable[str], now: datetime, threshold: timedelta
) -> list[str]:
    """The products of ``account`` (a profile record) whose data is older than ``threshold``."""
    cutoff = now - threshold
    stale = []
    for product in products:
        synced = account.get(synced_attribute(product))
        try:
            fresh = isinstance(synced, str) and datetime.fromisoformat(synced) > cutoff
        except ValueError:
            fresh = False
        if not fresh:
            stale.append(product)
    return stale


class AccountFreshness:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def mark_synced(self, account_id: str, product: str, as_of: str) -> bool:
        """Record data as of ``as_of`` for a registered account; an older mark never
        replaces a newer one. False if the account is unknown or the mark older."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item({"pk": f"ACCOUNT#{account_id}", "sk": "PROFILE"}),
                UpdateExpression="SET #synced = :as_of",
                ConditionExpression=(
                    "attribute_exists(pk) AND (attribute_not_exists(#synced) OR #synced < :as_of)"
                ),
                ExpressionAttributeNames={"#synced": synced_attribute(product)},
                ExpressionAttributeValues=to_item({":as_of": as_of}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
