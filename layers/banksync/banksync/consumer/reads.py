"""The read API's queries: a customer's accounts, one account, its balances and transactions.

Lists are newest first where time orders them, paginated with the API's
opaque ``next_token`` (a DynamoDB key, checked to belong to the list it is
given back to). A transactions page is filtered after it is read (status,
removed rows), so it may hold fewer than ``limit`` items while
``next_token`` says there are more.
"""

from typing import Any

from botocore.exceptions import ClientError

from banksync.bankdata.transactions import snapshot_of
from banksync.clock import Clock, utc_now
from banksync.consumer.views import account_summary, account_view, balance_view
from banksync.dynamo import from_item, to_item
from banksync.paging import BadTokenError, between, encode_token, start_key

Page = tuple[list[dict[str, Any]], str | None]


class NotFoundError(LookupError):
    pass


class ConsumerReads:
    def __init__(self, table_name: str, client: Any, clock: Clock = utc_now) -> None:
        self._table = table_name
        self._client = client
        self._clock = clock

    def exists(self, account_id: str) -> bool:
        """Registered, or with data stored (a refresh by account id alone registers nothing)."""
        answer = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=to_item({":pk": f"ACCOUNT#{account_id}"}),
            Limit=1,
            ProjectionExpression="pk",
        )
        return bool(answer["Items"])

    def customer_accounts(self, customer_id: str, limit: int, token: str | None) -> Page:
        partition = f"CUSTOMER#{customer_id}"
        rows, last = self._query(
            {
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :pk AND begins_with(gsi1sk, :accounts)",
                "ExpressionAttributeValues": to_item({":pk": partition, ":accounts": "ACCOUNT#"}),
            },
            limit,
            start_key(token, "gsi1", partition, "ACCOUNT#"),
        )
        return [account_summary(row) for row in rows], last

    def customer_account_ids(self, customer_id: str) -> list[str]:
        ids: list[str] = []
        token: str | None = None
        while True:
            page, token = self.customer_accounts(customer_id, 100, token)
            ids += [str(account["account_id"]) for account in page]
            if not token:
                return ids

    def account(self, account_id: str) -> dict[str, Any]:
        pk = f"ACCOUNT#{account_id}"
        keys = [to_item({"pk": pk, "sk": sk}) for sk in ("PROFILE", "BALANCE#LATEST")]
        answer = self._client.batch_get_item(RequestItems={self._table: {"Keys": keys}})
        found = {
            str(item["sk"]): item
            for item in (from_item(raw) for raw in answer["Responses"].get(self._table, []))
        }
        if answer.get("UnprocessedKeys"):
            # Throttled halfway: read them one by one rather than answer half.
            for key in keys:
                got = self._client.get_item(TableName=self._table, Key=key)
                if "Item" in got:
                    item = from_item(got["Item"])
                    found[str(item["sk"])] = item
        if "PROFILE" not in found:
            raise NotFoundError(account_id)
        return account_view(found["PROFILE"], found.get("BALANCE#LATEST"), self._clock())

    def balances(self, account_id: str, limit: int, token: str | None) -> Page:
        pk = f"ACCOUNT#{account_id}"
        rows, last = self._query(
            {
                # History entries are BALANCE#<as_of>; BALANCE#LATEST sorts after every year.
                "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
                "ExpressionAttributeValues": to_item(
                    {":pk": pk, ":first": "BALANCE#0", ":last": "BALANCE#9"}
                ),
                "ScanIndexForward": False,
            },
            limit,
            start_key(token, None, pk, "BALANCE#"),
        )
        return [balance_view(row) for row in rows], last

    def transactions(
        self,
        account_id: str,
        since: str | None,
        until: str | None,
        status: str | None,
        limit: int,
        token: str | None,
    ) -> Page:
        """Booked in [since, until), newest first; removed ones are left out."""
        partition = f"TXNS#{account_id}"
        condition, values = between(partition, since, until)
        rows, last = self._query(
            {
                "IndexName": "gsi1",
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": to_item(values),
                "ScanIndexForward": False,
            },
            limit,
            start_key(token, "gsi1", partition),
        )
        shown = [snapshot_of(row) for row in rows if not row.get("removed_at")]
        return [t for t in shown if status is None or t.get("status") == status], last

    def _query(self, request: dict[str, Any], limit: int, start: dict[str, Any] | None) -> Page:
        request = {"TableName": self._table, "Limit": limit, **request}
        if start:
            request["ExclusiveStartKey"] = start
        try:
            answer = self._client.query(**request)
        except ClientError as error:
            if start and error.response["Error"]["Code"] == "ValidationException":
                raise BadTokenError() from None
            raise
        last = answer.get("LastEvaluatedKey")
        return [from_item(raw) for raw in answer["Items"]], encode_token(last) if last else None
