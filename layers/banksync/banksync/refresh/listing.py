"""GET /refreshes: every refresh run and pushed update, newest first, paginated."""

from typing import Any

from botocore.exceptions import ClientError

from banksync.dynamo import from_item, to_item
from banksync.paging import BadTokenError, encode_token, start_key

KINDS = ("on_demand", "scheduled", "sweep", "pushed")
SHOWN = (
    "refresh_id",
    "update_id",
    "run_kind",
    "status",
    "created_at",
    "finished_at",
    "counts",
    "request",
    "record_id",
    "product",
    "account_id",
    "customer_id",
    "reason",
    "deadline_at",
)


class RefreshListing:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def page(
        self, since: str | None, kind: str | None, limit: int, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi2",
            "KeyConditionExpression": "gsi2pk = :pk" + (" AND gsi2sk >= :since" if since else ""),
            "ExpressionAttributeValues": to_item(
                {":pk": "RUNS", **({":since": since} if since else {})}
            ),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if kind:
            request["FilterExpression"] = "run_kind = :kind"
            request["ExpressionAttributeValues"] |= to_item({":kind": kind})
        if next_token:
            request["ExclusiveStartKey"] = start_key(next_token, "gsi2", "RUNS")
        try:
            answer = self._client.query(**request)
        except ClientError as error:
            if next_token and error.response["Error"]["Code"] == "ValidationException":
                raise BadTokenError() from None
            raise
        rows = [from_item(raw) for raw in answer["Items"]]
        found = [{k: row[k] for k in SHOWN if k in row} for row in rows]
        last = answer.get("LastEvaluatedKey")
        return found, encode_token(last) if last else None
