"""DataTable stream records as the Pipe hands them over (Lambda's DynamoDB-stream shape)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

from banksync.dynamo import from_item


@dataclass(frozen=True)
class StreamRecord:
    event_name: str  # INSERT | MODIFY | REMOVE
    keys: dict[str, Any]
    new: dict[str, Any]
    old: dict[str, Any]
    written_at: str  # when the stream saw the write (ISO 8601, UTC, seconds)

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> Self:
        stream = raw.get("dynamodb") or {}
        created = stream.get("ApproximateCreationDateTime") or 0
        return cls(
            event_name=str(raw.get("eventName", "")),
            keys=from_item(stream.get("Keys") or {}),
            new=from_item(stream.get("NewImage") or {}),
            old=from_item(stream.get("OldImage") or {}),
            written_at=iso_seconds(float(created)),
        )

    @property
    def pk(self) -> str:
        return str(self.keys.get("pk") or self.new.get("pk") or self.old.get("pk") or "")

    @property
    def sk(self) -> str:
        return str(self.keys.get("sk") or self.new.get("sk") or self.old.get("sk") or "")

    def key_id(self, prefix: str) -> str:
        """The id a ``<prefix>#<id>`` partition key names (``ACCOUNT#``, ``REFRESH#``)."""
        return self.pk.removeprefix(f"{prefix}#")

    def changed(self, *fields: str) -> bool:
        """Whether the write changed any of ``fields`` (an insert changes them all)."""
        return any(self.new.get(name) != self.old.get(name) for name in fields)


def iso_seconds(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
