"""A sweep and its pages, as stored in the DataTable.

Keys: ``pk=SWEEP#<id>, sk=SWEEP`` for the sweep; ``sk=PAGE#<shard>#<page>`` for
each page of the account registry it read (what it found there, and the
refresh run it started). ``pk=SWEEP, sk=CURRENT`` names the sweep still
queueing, so that two never run at once.
"""

from dataclasses import asdict, dataclass
from typing import Any, Self

QUEUEING, QUEUED = "queueing", "queued"


@dataclass
class Sweep:
    sweep_id: str
    created_at: str
    trigger: str  # "schedule" or "operator"
    stale_after_hours: int
    status: str = QUEUEING
    queued_at: str | None = None

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"SWEEP#{self.sweep_id}", "sk": "SWEEP"}

    def to_record(self) -> dict[str, Any]:
        return {
            **self.key,
            **asdict(self),
            "kind": "sweep",
            "entity": "sweep",
            "schema_version": 1,
            "gsi2pk": "SWEEPS",
            "gsi2sk": f"{self.created_at}#{self.sweep_id}",
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        return cls(**{k: v for k, v in record.items() if k in cls.__dataclass_fields__})


@dataclass
class SweepPage:
    sweep_id: str
    shard: int
    page: int
    considered: int = 0
    skipped_fresh: int = 0
    skipped_reauth: int = 0
    accounts_queued: int = 0
    items_queued: int = 0
    refresh_id: str | None = None

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"SWEEP#{self.sweep_id}", "sk": f"PAGE#{self.shard:02d}#{self.page:06d}"}

    def to_record(self) -> dict[str, Any]:
        return {
            **self.key,
            **asdict(self),
            "kind": "sweep_page",
            "entity": "sweep_page",
            "schema_version": 1,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        return cls(**{k: v for k, v in record.items() if k in cls.__dataclass_fields__})
