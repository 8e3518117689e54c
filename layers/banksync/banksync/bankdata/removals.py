"""Posted transactions the bank took back (the provider's ``TRANSACTIONS_DELETED``).

A removed transaction is kept, marked ``removed_at`` with the record that
removed it, so a consumer reading changes sees a removal rather than a row
that silently vanished; a later refresh that lists the row again does not
bring it back (its upsert keeps the mark).
"""

from collections.abc import Iterable
from typing import Any

from banksync.dynamo import conditional, to_item


class TransactionRemovals:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def remove(
        self, account_id: str, transaction_ids: Iterable[str], at: str, record_id: str | None
    ) -> list[str]:
        """Mark the stored ones among ``transaction_ids`` removed; returns those marked now."""
        # A failed condition: not this account's, not stored, or removed already.
        return [
            transaction_id
            for transaction_id in transaction_ids
            if self._remove(account_id, transaction_id, at, record_id)
        ]

    def _remove(self, account_id: str, transaction_id: str, at: str, record: str | None) -> bool:
        return conditional(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=to_item({"pk": f"ACCOUNT#{account_id}", "sk": f"TXN#{transaction_id}"}),
                UpdateExpression="SET removed_at = :at, removed_by = :record",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(removed_at)",
                ExpressionAttributeValues=to_item({":at": at, ":record": record or ""}),
            )
        )
