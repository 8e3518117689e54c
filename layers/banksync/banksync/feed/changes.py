"""Writing an account's transaction changes, each with the next number of its sequence.

Keys:

- the head: ``pk=ACCOUNT#<account>, sk=CHANGES`` holds ``seq``, the number of
  the account's newest change (absent: none yet);
- one entry per change: ``pk=ACCOUNT#<account>, sk=CHANGE#<seq, 15 digits>``,
  the change (``added`` | ``modified`` | ``removed``) and the normalised
  transaction as it was after it, raw row included.

One DynamoDB transaction writes a batch of changes: the head moves from
``n`` to ``n + k`` on the condition that it still reads ``n``, the ``k``
transaction rows are written on the condition that each is as it was read
(so nothing that changed meanwhile is overwritten), and the ``k`` entries
``n + 1 … n + k`` are created. All or nothing: a number is never reserved
without its change, and a change never lands without its number. Two
writers racing for one account conflict on the head; the loser reads again
and retries with the next numbers. So the sequence has no gaps, and once
the head reads ``n``, every change up to ``n`` is committed: the feed reads
the head first and never past it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from banksync.dynamo import to_item

# 1 head + 2 items per change within DynamoDB's 100 actions per transaction.
CHANGES_PER_TRANSACTION = 49
ATTEMPTS = 8
SEQ_DIGITS = 15


def head_key(account_id: str) -> dict[str, Any]:
    return {"pk": f"ACCOUNT#{account_id}", "sk": "CHANGES"}


def entry_sk(seq: int) -> str:
    return f"CHANGE#{seq:0{SEQ_DIGITS}d}"


@dataclass
class Change:
    """One change to one transaction row, as planned against what was read."""

    change: str  # added | modified | removed
    transaction_id: str
    # The row's attributes to write (a full row for added/modified; for removed,
    # the attributes to set).
    row: dict[str, Any]
    # The condition that the row is still as read, with its values.
    condition: str
    values: dict[str, Any] = field(default_factory=dict)
    # The normalised transaction after the change, for the feed's entry.
    snapshot: dict[str, Any] = field(default_factory=dict)


class ChangeConflictError(RuntimeError):
    """Other writers kept changing the account; a retry of the whole call can succeed."""


class ChangeLog:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def head(self, account_id: str) -> int:
        found = self._client.get_item(
            TableName=self._table, Key=to_item(head_key(account_id)), ConsistentRead=True
        )
        return int(found.get("Item", {}).get("seq", {}).get("N", 0))

    def write(
        self,
        account_id: str,
        plan: Callable[[], list[Change]],
        changed_at: str,
    ) -> list[Change]:
        """Write what ``plan`` (which reads the rows afresh) finds changed; returns it.

        ``plan`` is called again after a conflict, so a row changed meanwhile is
        judged on what it is now."""
        written: list[Change] = []
        for _ in range(ATTEMPTS):
            changes = plan()
            if not changes:
                return written
            head = self.head(account_id)
            try:
                for start in range(0, len(changes), CHANGES_PER_TRANSACTION):
                    batch = changes[start : start + CHANGES_PER_TRANSACTION]
                    self._commit(account_id, head, batch, changed_at)
                    head += len(batch)
                    written += batch
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                continue  # someone else wrote first: plan again from what is stored now
            return written
        raise ChangeConflictError(f"changes to account {account_id} kept conflicting")

    def _commit(self, account_id: str, head: int, batch: list[Change], changed_at: str) -> None:
        pk = f"ACCOUNT#{account_id}"
        actions: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_item(head_key(account_id)),
                    "UpdateExpression": (
                        "SET seq = :new, kind = :kind, entity = :kind,"
                        " schema_version = :version, changed_at = :at"
                    ),
                    "ConditionExpression": (
                        "attribute_not_exists(seq)" if head == 0 else "seq = :old"
                    ),
                    "ExpressionAttributeValues": to_item(
                        {
                            ":new": head + len(batch),
                            ":kind": "change_head",
                            ":version": 1,
                            ":at": changed_at,
                            **({":old": head} if head else {}),
                        }
                    ),
                }
            }
        ]
        for offset, change in enumerate(batch, start=1):
            seq = head + offset
            marks = {"change_seq": seq, "change": change.change, "changed_at": changed_at}
            actions.append(self._row_action(pk, change, marks))
            entry = {
                "pk": pk,
                "sk": entry_sk(seq),
                "kind": "transaction_change",
                "entity": "transaction_change",
                "schema_version": 1,
                "account_id": account_id,
                "transaction_id": change.transaction_id,
                **marks,
                "transaction": {**change.snapshot, **marks},
            }
            actions.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_item(entry),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        self._client.transact_write_items(TransactItems=actions)

    def _row_action(self, pk: str, change: Change, marks: dict[str, Any]) -> dict[str, Any]:
        key = {"pk": pk, "sk": f"TXN#{change.transaction_id}"}
        values = to_item(change.values) if change.values else {}
        if change.change == "removed":
            assignments = {k: v for k, v in {**change.row, **marks}.items() if v is not None}
            names = {f"#{name}": name for name in assignments}
            update: dict[str, Any] = {
                "TableName": self._table,
                "Key": to_item(key),
                "UpdateExpression": "SET " + ", ".join(f"#{n} = :{n}" for n in assignments),
                "ConditionExpression": change.condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {
                    **values,
                    **to_item({f":{n}": v for n, v in assignments.items()}),
                },
            }
            return {"Update": update}
        put: dict[str, Any] = {
            "TableName": self._table,
            "Item": to_item({**key, **change.row, **marks}),
            "ConditionExpression": change.condition,
        }
        if values:
            put["ExpressionAttributeValues"] = values
        return {"Put": put}
