"""The DataTable's bank data: the account registry, balances and transactions.

Keys (single-table design):

- account: ``pk=ACCOUNT#<account>, sk=PROFILE``; ``gsi1pk=CUSTOMER#<customer>,
  gsi1sk=ACCOUNT#<bank>#<account>`` lists a customer's accounts, by bank;
- latest balance: ``pk=ACCOUNT#<account>, sk=BALANCE#LATEST``; history:
  ``sk=BALANCE#<as_of>``; both ``entity: "balance"``, ``schema_version: 1``,
  ``ledger``/``available`` in minor units beside the provider's figures;
- transaction: ``pk=ACCOUNT#<account>, sk=TXN#<provider transaction id>``;
  ``gsi1pk=TXNS#<account>, gsi1sk=<booked at>#<id>`` lists them by date
  (``banksync.bankdata.transactions``);
- the account's change feed: ``sk=CHANGES`` (its head) and
  ``sk=CHANGE#<seq>`` (``banksync.feed.changes``);
- every account, for the daily refresh: ``gsi2pk=ACCOUNTS#<shard>`` (16 shards,
  so no index partition takes every registration);
- account events (re-authorisation required or done):
  ``pk=ACCOUNT#<account>, sk=EVENT#<at>#<kind>``.
"""

from typing import Any

import boto3
from botocore.exceptions import ClientError

from banksync.bankdata.accounts import ACCOUNT_SHARDS, AccountRegistry
from banksync.bankdata.freshness import AccountFreshness
from banksync.bankdata.removals import TransactionRemovals
from banksync.bankdata.transactions import TransactionRows
from banksync.clock import Clock, utc_now
from banksync.dynamo import from_item, to_item
from banksync.provider.model import ProviderAccount
from banksync.provider.names import DEFAULT_PROVIDER, ProviderName, named
from banksync.provider_registry import row_reader


class BankDataStore:
    def __init__(self, table_name: str, client: Any = None, clock: Clock = utc_now) -> None:
        self._table = table_name
        self._client = client or boto3.client("dynamodb")
        self.freshness = AccountFreshness(table_name, self._client)
        self.rows = TransactionRows(table_name, self._client, clock)
        self.removals = TransactionRemovals(self.rows)
        self.registry = AccountRegistry(table_name, self._client)

    def register_account(
        self, account: ProviderAccount, at: str, provider: ProviderName = DEFAULT_PROVIDER
    ) -> None:
        """Record what the provider says of the account; a re-authorisation mark stays."""
        self.registry.register(account, at, provider, only_new=False)

    def register_new_account(
        self, account: ProviderAccount, at: str, provider: ProviderName
    ) -> bool:
        """Register an account banksync has not met; False when it had (what is stored
        already says more than a linking webhook)."""
        return self.registry.register(account, at, provider, only_new=True)

    def all_accounts(self) -> list[dict[str, Any]]:
        accounts: list[dict[str, Any]] = []
        for shard in range(ACCOUNT_SHARDS):
            accounts += self._query_index(f"ACCOUNTS#{shard}", "", index="gsi2")
        return accounts

    def accounts_page(
        self, shard: int, limit: int, cursor: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of one registry shard, and where the next one starts (None: the end)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi2",
            "KeyConditionExpression": "gsi2pk = :pk",
            "ExpressionAttributeValues": to_item({":pk": f"ACCOUNTS#{shard}"}),
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = cursor
        answer = self._client.query(**request)
        return [from_item(raw) for raw in answer["Items"]], answer.get("LastEvaluatedKey")

    def mark_reauth_required(self, account_id: str, reason: str, at: str, as_of: str) -> bool:
        """Hold the account until the customer re-authorises; False when a
        re-authorisation came after the refresh (started ``as_of``) that asked."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item({"pk": f"ACCOUNT#{account_id}", "sk": "PROFILE"}),
                # Stamped too: an account the registry has not met yet is created here.
                UpdateExpression=(
                    "SET reauth_required_at = :at, reauth_reason = :reason,"
                    " entity = :entity, schema_version = :version"
                ),
                ConditionExpression=(
                    "attribute_not_exists(reauthorised_at) OR reauthorised_at < :as_of"
                ),
                ExpressionAttributeValues=to_item(
                    {
                        ":at": at,
                        ":reason": reason,
                        ":as_of": as_of,
                        ":entity": "account",
                        ":version": 1,
                    }
                ),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        self._record_event(account_id, "reauth_required", at, {"reason": reason})
        return True

    def clear_reauth(self, customer_id: str, bank_id: str, at: str, record: str) -> list[str]:
        """The customer re-authorised at the bank (at ``at``): lift holds set before then."""
        return self._clear_reauth(self.customer_accounts(customer_id, bank_id), at, record)

    def clear_reauth_of(self, account_ids: list[str], at: str, record: str) -> list[str]:
        """The customer re-authorised these accounts (at ``at``): lift holds set before then."""
        # A profile a re-authorisation mark created before any registration has no id.
        found = [(account_id, self.account(account_id)) for account_id in account_ids]
        accounts = [{**a, "account_id": i} for i, a in found if a is not None]
        return self._clear_reauth(accounts, at, record)

    def _clear_reauth(self, accounts: list[dict[str, Any]], at: str, record: str) -> list[str]:
        cleared = []
        for account in accounts:
            held_before = account.get("reauth_required_at") and account["reauth_required_at"] <= at
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=to_item({"pk": f"ACCOUNT#{account['account_id']}", "sk": "PROFILE"}),
                    UpdateExpression=(
                        "SET reauthorised_at = :at REMOVE reauth_required_at, reauth_reason"
                    ),
                    ConditionExpression=(
                        "attribute_not_exists(reauth_required_at) OR reauth_required_at <= :at"
                    ),
                    ExpressionAttributeValues=to_item({":at": at}),
                )
            except ClientError as error:
                if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                    continue  # held again by a refresh newer than this webhook
                raise
            if held_before:
                self._record_event(account["account_id"], "reauthorised", at, {"record": record})
                cleared.append(account["account_id"])
        return cleared

    def account_events(self, account_id: str) -> list[dict[str, Any]]:
        answer = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
            ExpressionAttributeValues=to_item(
                {":pk": f"ACCOUNT#{account_id}", ":events": "EVENT#"}
            ),
        )
        return [from_item(raw) for raw in answer["Items"]]

    def _record_event(self, account_id: str, kind: str, at: str, detail: dict[str, Any]) -> None:
        record = {
            "pk": f"ACCOUNT#{account_id}",
            "sk": f"EVENT#{at}#{kind}",
            "kind": "account_event",
            "entity": "account_event",
            "schema_version": 1,
            "event": kind,
            "account_id": account_id,
            "at": at,
            "detail": detail,
        }
        self._client.put_item(TableName=self._table, Item=to_item(record))

    def account(self, account_id: str) -> dict[str, Any] | None:
        key = to_item({"pk": f"ACCOUNT#{account_id}", "sk": "PROFILE"})
        found = self._client.get_item(TableName=self._table, Key=key)
        return from_item(found["Item"]) if "Item" in found else None

    def customer_accounts(
        self, customer_id: str, bank_id: str | None = None
    ) -> list[dict[str, Any]]:
        prefix = f"ACCOUNT#{bank_id}#" if bank_id else "ACCOUNT#"
        return self._query_index(f"CUSTOMER#{customer_id}", prefix)

    def save_balance(
        self,
        account_id: str,
        balance: dict[str, Any],
        as_of: str,
        fetched_at: str,
        provider: ProviderName = DEFAULT_PROVIDER,
    ) -> bool:
        """Store a balance taken at ``as_of`` (when its refresh started); False if the
        latest balance is newer already. History is keyed by ``as_of``: a retry
        rewrites the same entry."""
        rows = row_reader(provider)
        normalised = rows.balance(balance, account_id, as_of)
        record = {
            "kind": "balance",
            "entity": "balance",
            "schema_version": normalised["schema_version"],
            "ledger": normalised["ledger"],
            "available": normalised["available"],
            "account_id": account_id,
            **rows.balance_summary(balance),
            "as_of": as_of,
            "fetched_at": fetched_at,
            "balance": balance,
            **named(provider),
        }
        pk = f"ACCOUNT#{account_id}"
        history = to_item({"pk": pk, "sk": f"BALANCE#{as_of}", **record})
        self._client.put_item(TableName=self._table, Item=history)
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_item({"pk": pk, "sk": "BALANCE#LATEST", **record}),
                ConditionExpression="attribute_not_exists(pk) OR as_of <= :as_of",
                ExpressionAttributeValues=to_item({":as_of": as_of}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def latest_balance(self, account_id: str) -> dict[str, Any] | None:
        key = to_item({"pk": f"ACCOUNT#{account_id}", "sk": "BALANCE#LATEST"})
        found = self._client.get_item(TableName=self._table, Key=key)
        return from_item(found["Item"]) if "Item" in found else None

    def save_transactions(
        self,
        account_id: str,
        transactions: list[dict[str, Any]],
        as_of: str,
        provider: ProviderName = DEFAULT_PROVIDER,
    ) -> tuple[int, int]:
        """Upsert by provider id; returns (new, updated). Unchanged ones are not rewritten,
        and a refresh older than the one that last wrote a transaction never overwrites it."""
        return self.rows.save(account_id, transactions, as_of, provider)

    def transactions(self, account_id: str) -> list[dict[str, Any]]:
        return self._query_index(f"TXNS#{account_id}", "")

    def _query_index(
        self, partition: str, prefix: str, index: str = "gsi1"
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        condition = f"{index}pk = :pk" + (f" AND begins_with({index}sk, :prefix)" if prefix else "")
        values = {":pk": partition, **({":prefix": prefix} if prefix else {})}
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            IndexName=index,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=to_item(values),
        )
        for page in pages:
            rows += [from_item(raw) for raw in page["Items"]]
        return rows
