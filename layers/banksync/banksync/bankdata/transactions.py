"""Transaction rows: upserted by provider id, every change numbered in the account's feed.

A row is written only when it changed: its fingerprint (of the raw row) is
compared with the stored one first, so a row listed again unchanged costs a
read, never a write. A change lands through the change log
(``banksync.feed.changes``) with its sequence number, as ``added``,
``modified`` (the provider changed it: a pending row that posted under the
same id, a corrected amount) or ``removed`` (the provider deleted it, or a
posted row replaced the pending row it names). A removed row stays removed:
a later listing of it changes nothing.

Stored row (``pk=ACCOUNT#<account>, sk=TXN#<id>``): the normalised fields
(``banksync.provider.records``), the raw row as ``transaction``,
``fingerprint``, ``as_of`` (the refresh's start: an older refresh never
overwrites a newer one), ``first_seen_at``, ``entity: "transaction"``,
``schema_version: 1`` and the last change's ``change_seq``, ``change`` and
``changed_at``; removed ones ``removed_at``, ``removed_by`` (the record),
``removed_reason`` (``deleted`` | ``posted``) and ``replaced_by``.

A removal that arrives before its row was ever stored (the provider deleted a
row it had just announced, while the fetch waits for the budget) leaves a
tombstone at the row's key (``entity: "transaction_tombstone"``: no data, no
change in the feed, never listed), so the fetch that lands later finds the row
removed and writes nothing: the row never appears, and the feed never shows it.
"""

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from banksync.clock import Clock, iso, utc_now
from banksync.dynamo import conditional, get_many, to_item
from banksync.feed.changes import Change, ChangeConflictError, ChangeLog
from banksync.provider.names import DEFAULT_PROVIDER, ProviderName, named
from banksync.provider.records import SCHEMA_VERSION, TRANSACTION_FIELDS
from banksync.provider_registry import row_reader

# A row that keeps landing between a removal's read and its tombstone: read again.
TOMBSTONE_ATTEMPTS = 4
UNCHANGED = "fingerprint = :fp0 AND as_of = :as_of0 AND attribute_not_exists(removed_at)"


def fingerprint(row: dict[str, Any]) -> str:
    text = json.dumps(row, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def snapshot_of(stored: dict[str, Any]) -> dict[str, Any]:
    """The normalised transaction of a stored row, raw row beside it."""
    raw = _raw(stored)
    account_id = str(stored.get("account_id") or "")
    if stored.get("schema_version") == SCHEMA_VERSION:
        fields = {name: stored.get(name) for name in TRANSACTION_FIELDS}
    else:  # stored before rows were normalised: read the raw row now
        fields = row_reader().transaction(raw, account_id) or {}
    fields["transaction_id"] = stored.get("transaction_id") or fields.get("transaction_id")
    fields["account_id"] = account_id
    extra = ("first_seen_at", "removed_at", "removed_reason", "replaced_by")
    return {
        **fields,
        "removed": bool(stored.get("removed_at")),
        **{name: stored[name] for name in extra if stored.get(name)},
        "raw": raw,
    }


class TransactionRows:
    def __init__(self, table_name: str, client: Any, clock: Clock = utc_now) -> None:
        self._table = table_name
        self._client = client
        self._clock = clock
        self.log = ChangeLog(table_name, client)

    def save(
        self,
        account_id: str,
        rows: Iterable[dict[str, Any]],
        as_of: str,
        provider: ProviderName = DEFAULT_PROVIDER,
    ) -> tuple[int, int]:
        """Upsert by provider id; (new, updated). Unchanged rows are not written, and a
        refresh older than the one that last wrote a row never overwrites it."""
        listed: dict[str, dict[str, Any]] = {}
        reader = row_reader(provider)
        for row in rows:
            provider_id = (reader.transaction(row, account_id) or {}).get("transaction_id")
            if provider_id:
                listed[provider_id] = row  # listed twice: the later one stands

        def plan() -> list[Change]:
            return self._plan_upserts(account_id, listed, as_of, provider)

        written = self.log.write(account_id, plan, iso(self._clock())) if listed else []
        return (
            sum(c.change == "added" for c in written),
            sum(c.change == "modified" for c in written),
        )

    def remove(
        self, account_id: str, transaction_ids: Iterable[str], at: str, record_id: str | None
    ) -> list[str]:
        """Mark the stored ones among ``transaction_ids`` removed; returns those marked
        now. One not stored yet (its fetch is still on its way) gets a tombstone, so that the
        fetch, whenever it lands, cannot bring it back."""
        wanted = list(dict.fromkeys(str(t) for t in transaction_ids if t))
        removed: list[str] = []
        for _ in range(TOMBSTONE_ATTEMPTS):
            written, unstored = self._remove_stored(account_id, wanted, at, record_id)
            removed += written
            # A tombstone is written only where no row is: a row that landed meanwhile
            # is removed through the feed on the next pass.
            wanted = [t for t in unstored if not self._bury(account_id, t, at, record_id)]
            if not wanted:
                return removed
        raise ChangeConflictError(f"removals from account {account_id} kept conflicting")

    def _remove_stored(
        self, account_id: str, wanted: list[str], at: str, record_id: str | None
    ) -> tuple[list[str], list[str]]:
        """Removes the stored ones; (those removed now, those not stored at all)."""
        unstored: list[str] = []

        def plan() -> list[Change]:
            stored = self._stored(account_id, wanted)
            unstored[:] = [t for t in wanted if t not in stored]
            return [
                _removal(stored[t], at, record_id or "", "deleted")
                for t in wanted
                if t in stored and not stored[t].get("removed_at")
            ]

        written = self.log.write(account_id, plan, iso(self._clock())) if wanted else []
        return [change.transaction_id for change in written], unstored

    def _bury(self, account_id: str, transaction_id: str, at: str, record_id: str | None) -> bool:
        tombstone = {
            "pk": f"ACCOUNT#{account_id}",
            "sk": f"TXN#{transaction_id}",
            "entity": "transaction_tombstone",
            "schema_version": 1,
            "account_id": account_id,
            "transaction_id": transaction_id,
            "removed_at": at,
            "removed_by": record_id or "",
            "removed_reason": "deleted",
        }
        return conditional(
            lambda: self._client.put_item(
                TableName=self._table,
                Item=to_item(tombstone),
                ConditionExpression="attribute_not_exists(pk)",
            )
        )

    def _plan_upserts(
        self,
        account_id: str,
        listed: dict[str, dict[str, Any]],
        as_of: str,
        provider: ProviderName = DEFAULT_PROVIDER,
    ) -> list[Change]:
        pending_ids = {
            str(raw["pending_transaction_id"])
            for raw in listed.values()
            if isinstance(raw.get("pending_transaction_id"), str)
        }
        wanted = [*listed, *(pending_ids - set(listed))]
        # Strongly consistent: a row judged unchanged is not written, so that
        # judgement must see the newest write (changed rows' conditions would
        # catch a stale read; an unchanged verdict has no condition).
        stored = self._stored(account_id, wanted, profile=True)
        profile = stored.pop("PROFILE", {})
        changes: list[Change] = []
        replaced: set[str] = set()
        for provider_id, raw in listed.items():
            old = stored.get(provider_id)
            row = _row(account_id, raw, as_of, profile.get("currency"), provider)
            if old is None:
                changes.append(Change("added", provider_id, row, "attribute_not_exists(pk)"))
            elif (
                old.get("fingerprint") != row["fingerprint"]
                and str(old.get("as_of") or "") <= as_of
                and not old.get("removed_at")
            ):
                row["first_seen_at"] = old.get("first_seen_at") or row["first_seen_at"]
                changes.append(Change("modified", provider_id, row, UNCHANGED, _was(old)))
            else:
                continue
            changes[-1].snapshot = snapshot_of(row)
            # A posted row that names the pending one it replaces: that one is removed.
            pending = row.get("pending_transaction_id")
            earlier = stored.get(pending) if isinstance(pending, str) else None
            if (
                isinstance(pending, str)
                and earlier
                and pending != provider_id
                and pending not in listed
                and pending not in replaced
                and not earlier.get("removed_at")
            ):
                replaced.add(pending)
                changes.append(_removal(earlier, as_of, "", "posted", provider_id))
        return changes

    def _stored(
        self, account_id: str, transaction_ids: list[str], profile: bool = False
    ) -> dict[str, dict[str, Any]]:
        pk = f"ACCOUNT#{account_id}"
        keys = [{"pk": pk, "sk": f"TXN#{t}"} for t in transaction_ids]
        if profile:
            keys.append({"pk": pk, "sk": "PROFILE"})
        items = get_many(self._client, self._table, [to_item(k) for k in keys])
        return {str(item["sk"]).removeprefix("TXN#"): item for item in items}


def _row(
    account_id: str, raw: dict[str, Any], as_of: str, account_currency: Any, provider: ProviderName
) -> dict[str, Any]:
    currency = account_currency if isinstance(account_currency, str) else None
    rows = row_reader(provider)
    fields = rows.transaction(raw, account_id, currency) or {}
    provider_id = fields["transaction_id"]
    listed_at = fields.get("booked_at") or rows.booked_text(raw)
    return {
        "gsi1pk": f"TXNS#{account_id}",
        "gsi1sk": f"{listed_at}#{provider_id}",
        "kind": "transaction",
        "entity": "transaction",
        "schema_version": SCHEMA_VERSION,
        **fields,
        "fingerprint": fingerprint(raw),
        "transaction": raw,
        "as_of": as_of,
        "first_seen_at": as_of,
        **named(provider),
    }


def _raw(stored: dict[str, Any]) -> dict[str, Any]:
    raw = stored.get("transaction")
    return raw if isinstance(raw, dict) else {}


def _was(old: dict[str, Any]) -> dict[str, Any]:
    return {":fp0": old.get("fingerprint") or "", ":as_of0": old.get("as_of") or ""}


def _removal(
    old: dict[str, Any], at: str, record: str, reason: str, replaced_by: str | None = None
) -> Change:
    marks = {"removed_at": at, "removed_by": record, "removed_reason": reason}
    if replaced_by:
        marks["replaced_by"] = replaced_by
    marks_and_entity: dict[str, Any] = {**marks}
    if old.get("schema_version") != SCHEMA_VERSION:
        # Stored before rows were normalised: normalised now, as the feed shows it.
        raw = _raw(old)
        fields = row_reader().transaction(raw, str(old.get("account_id") or "")) or {}
        marks_and_entity |= {k: v for k, v in fields.items() if v is not None}
        marks_and_entity |= {"entity": "transaction", "schema_version": SCHEMA_VERSION}
    condition = (
        "attribute_exists(pk) AND attribute_not_exists(removed_at)"
        " AND fingerprint = :fp0 AND as_of = :as_of0"
    )
    return Change(
        "removed",
        str(old["transaction_id"]),
        marks_and_entity,
        condition,
        _was(old),
        snapshot_of({**old, **marks_and_entity}),
    )
