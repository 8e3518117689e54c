"""The account registry: what each provider says of a customer's accounts, one
profile item per account (``pk=ACCOUNT#<account>, sk=PROFILE``), and which provider
the account id belongs to."""

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from banksync.dynamo import to_item
from banksync.provider.model import ProviderAccount
from banksync.provider.names import DEFAULT_PROVIDER, ProviderName

ACCOUNT_SHARDS = 16


def account_shard(account_id: str) -> str:
    return f"ACCOUNTS#{int(hashlib.sha256(account_id.encode()).hexdigest(), 16) % ACCOUNT_SHARDS}"


class AccountOfAnotherProviderError(Exception):
    """An account id is one provider's: another provider's account of that id is refused."""

    def __init__(self, account_id: str, provider: str) -> None:
        super().__init__(f"account {account_id} belongs to another provider than {provider}")
        self.account_id, self.provider = account_id, provider


class AccountRegistry:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def register(
        self, account: ProviderAccount, at: str, provider: ProviderName, only_new: bool
    ) -> bool:
        values = {
            "gsi1pk": f"CUSTOMER#{account.customer_id}",
            "gsi1sk": f"ACCOUNT#{account.bank_id}#{account.account_id}",
            "gsi2pk": account_shard(account.account_id),
            "gsi2sk": account.account_id,
            "kind": "account",
            "entity": "account",
            "schema_version": 1,
            "account_id": account.account_id,
            "customer_id": account.customer_id,
            "bank_id": account.bank_id,
            "bank_name": account.bank_name,
            "nuban": account.nuban,
            "name": account.name,
            "currency": account.currency,
            "provider": provider,
        }
        names = {f"#{key}": key for key in values}
        # An account id belongs to one provider: another's account of that id is refused
        # (an account stored before providers were named is the default provider's).
        if only_new:
            condition = "attribute_not_exists(pk)"
        elif provider == DEFAULT_PROVIDER:
            condition = "attribute_not_exists(#provider) OR #provider = :provider"
        else:
            condition = "attribute_not_exists(pk) OR #provider = :provider"
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item({"pk": f"ACCOUNT#{account.account_id}", "sk": "PROFILE"}),
                UpdateExpression="SET "
                + ", ".join(f"#{key} = :{key}" for key in values)
                + ", registered_at = if_not_exists(registered_at, :at)",
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(
                    {**{f":{key}": value for key, value in values.items()}, ":at": at}
                ),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            if only_new:
                return False
            raise AccountOfAnotherProviderError(account.account_id, provider) from None
        return True
