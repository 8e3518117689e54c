"""How fresh an account's data is, and whether the provider's own refresh keeps it so.

Two times per product on the account's profile, each the ``as_of`` of the
newest data (never moved back):

- ``<product>_synced_at``: stored by anything (a refresh, the push), or the
  provider's word that nothing was new;
- ``<product>_pushed_at``: the same, from the provider's own refresh only.

A refresh that ends any other way (failed, timed out, re-authorisation
required) is kept beside them, once per product and newest only:
``<product>_failed_at`` and ``<product>_failure`` (its status and reason), so
that an account's last refresh and its outcome are read with the profile.

A refresh round marks each account it stored once, all its products in one
write (``mark_synced_together``): the profile is in both of the table's
indexes, so every write of it costs three write units.

The daily sweep skips a product the provider pushed within its threshold
(``SweepStaleAfterHours``, 26 h: a day and some drift): the provider's own
daily refresh is keeping it fresh. Data banksync fetched itself counts as
fresh only for the threshold less the sweep's day (2 h by default), so that
an account whose provider webhooks are lost is still refreshed every day,
not every other day.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from banksync.dynamo import conditional, to_item

SWEEP_PERIOD = timedelta(days=1)


def synced_attribute(product: str) -> str:
    return f"{product}_synced_at"


def pushed_attribute(product: str) -> str:
    return f"{product}_pushed_at"


def failed_attribute(product: str) -> str:
    return f"{product}_failed_at"


def failure_attribute(product: str) -> str:
    return f"{product}_failure"


def stale_products(
    account: dict[str, Any], products: Iterable[str], now: datetime, threshold: timedelta
) -> list[str]:
    """The products of ``account`` (a profile record) the daily work must refresh."""
    own_threshold = max(timedelta(0), threshold - SWEEP_PERIOD)
    return [
        product
        for product in products
        if not _within(account.get(pushed_attribute(product)), now - threshold)
        and not _within(account.get(synced_attribute(product)), now - own_threshold)
    ]


def _within(moment: Any, cutoff: datetime) -> bool:
    try:
        return isinstance(moment, str) and datetime.fromisoformat(moment) > cutoff
    except ValueError:
        return False


class AccountFreshness:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def mark_synced(self, account_id: str, product: str, as_of: str, pushed: bool = False) -> bool:
        """Record data as of ``as_of`` for a registered account (``pushed``: by the
        provider's own refresh). False if the account is unknown or the mark older."""
        marked = self._mark(account_id, synced_attribute(product), as_of)
        if pushed:
            marked = self._mark(account_id, pushed_attribute(product), as_of) or marked
        return marked

    def mark_synced_together(self, account_id: str, as_of: dict[str, str]) -> list[str]:
        """Record several products' data (``as_of`` by product) in one write when every
        mark moves forward, as after a round that stored an account's balance and its
        transactions: the profile sits in both indexes, so each write of it costs three
        units. Returns the products marked; none if the account is unknown."""
        names = {f"#p{i}": synced_attribute(p) for i, p in enumerate(as_of)}
        values = {f":p{i}": moment for i, moment in enumerate(as_of.values())}
        newer = " AND ".join(
            f"(attribute_not_exists(#p{i}) OR #p{i} < :p{i})" for i in range(len(as_of))
        )
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item({"pk": f"ACCOUNT#{account_id}", "sk": "PROFILE"}),
                UpdateExpression="SET " + ", ".join(f"#p{i} = :p{i}" for i in range(len(as_of))),
                ConditionExpression=f"attribute_exists(pk) AND {newer}",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(values),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            if not error.response.get("Item"):
                return []  # not registered: nothing to mark
            # Some mark is newer already: move each of the others on its own.
            return [p for p, moment in as_of.items() if self.mark_synced(account_id, p, moment)]
        return list(as_of)

    def mark_unsuccessful(
        self, account_id: str, product: str, status: str, reason: str | None, at: str
    ) -> bool:
        """Record a refresh of a registered account that did not succeed; False if the
        account is unknown or a newer outcome is recorded. Rare: never on success."""
        return conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item({"pk": f"ACCOUNT#{account_id}", "sk": "PROFILE"}),
                UpdateExpression="SET #at = :at, #outcome = :outcome",
                ConditionExpression=(
                    "attribute_exists(pk) AND (attribute_not_exists(#at) OR #at < :at)"
                ),
                ExpressionAttributeNames={
                    "#at": failed_attribute(product),
                    "#outcome": failure_attribute(product),
                },
                ExpressionAttributeValues=to_item(
                    {":at": at, ":outcome": {"status": status, "reason": reason or ""}}
                ),
            )
        )

    def _mark(self, account_id: str, attribute: str, as_of: str) -> bool:
        return conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item({"pk": f"ACCOUNT#{account_id}", "sk": "PROFILE"}),
                UpdateExpression="SET #at = :as_of",
                ConditionExpression=(
                    "attribute_exists(pk) AND (attribute_not_exists(#at) OR #at < :as_of)"
                ),
                ExpressionAttributeNames={"#at": attribute},
                ExpressionAttributeValues=to_item({":as_of": as_of}),
            )
        )
