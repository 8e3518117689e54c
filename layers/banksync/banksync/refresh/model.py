"""A refresh run and its items, as stored in the DataTable.

Keys: the run is ``pk=REFRESH#<id>, sk=RUN``; each (account, product) item is
``pk=REFRESH#<id>, sk=ITEM#<account>#<product>``, so one Query reads a batch.
A started item is also ``gsi3pk=RECORD#<provider record>`` (a keys-only
index): the provider's webhook for that record finds it.
"""

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Self


class ItemStatus(StrEnum):
    PENDING = "pending"  # not started yet, or waiting out a 429/503
    STARTED = "started"  # the provider is preparing the data; poll its callback
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REAUTH_REQUIRED = "reauth_required"
    TIMED_OUT = "timed_out"

    @property
    def terminal(self) -> bool:
        return self not in (ItemStatus.PENDING, ItemStatus.STARTED)


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"  # every item reached a terminal status
    FAILED = "failed"  # the workflow itself failed; unfinished items were failed


@dataclass
class RefreshItem:
    refresh_id: str
    account_id: str
    product: str
    customer_id: str = ""
    subscription_id: str | None = None
    status: ItemStatus = ItemStatus.PENDING
    reason: str | None = None
    callback_url: str | None = None
    record_id: str | None = None
    attempts: int = 0
    retry_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    new_transactions: int | None = None
    updated_transactions: int | None = None
    balance: dict[str, Any] | None = None
    # The provider's webhook announced this item's record (the push listener sets it;
    # the workflow never writes it, so a round in flight cannot erase a new mark).
    pushed_at: str | None = None
    # The announcement a poll served and found not ready yet: wait for a newer one.
    push_seen_at: str | None = None
    # Started, but its deadline passed while the budget (or a 429) alone kept its poll
    # back: it is queued again for the budget, with a new deadline from this time.
    requeued_at: str | None = None

    @property
    def announced(self) -> bool:
        return self.pushed_at is not None and self.pushed_at > (self.push_seen_at or "")

    @property
    def queued(self) -> bool:
        """Owed a call as soon as the budget has one: not started yet."""
        return self.status is ItemStatus.PENDING

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"REFRESH#{self.refresh_id}", "sk": f"ITEM#{self.account_id}#{self.product}"}

    def to_record(self) -> dict[str, Any]:
        record = {**self.key, **asdict(self), "status": str(self.status)}
        record |= {"entity": "refresh_item", "schema_version": 1}  # schemas/records/
        if self.record_id:
            # The provider's webhook names the record: it finds the item on gsi3.
            record |= {"gsi3pk": f"RECORD#{self.record_id}", "gsi3sk": f"ITEM#{self.refresh_id}"}
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        fields = {k: v for k, v in record.items() if k in cls.__dataclass_fields__}
        return cls(**{**fields, "status": ItemStatus(record["status"])})

    def finish(self, status: ItemStatus, at: str, reason: str | None = None) -> None:
        self.status, self.finished_at, self.reason = status, at, reason
        self.retry_at = None

    def public(self) -> dict[str, Any]:
        view = {k: v for k, v in asdict(self).items() if v is not None}
        view.pop("refresh_id")
        view.pop("callback_url", None)
        view.pop("push_seen_at", None)  # the workflow's own bookkeeping
        view.pop("requeued_at", None)
        return {**view, "status": str(self.status)}


PUBLIC_RUN_FIELDS = (
    "refresh_id",
    "created_at",
    "deadline_at",
    "request",
    "counts",
    "updated_at",
    "finished_at",
    "error",
    "rounds",
)


@dataclass
class RefreshRun:
    refresh_id: str
    created_at: str
    deadline_at: str
    status: RunStatus = RunStatus.RUNNING
    request: dict[str, Any] = field(default_factory=dict)
    updated_at: str | None = None
    finished_at: str | None = None
    error: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    rounds: int = 0
    # After a 429 the provider's limit is business-wide: no call before this time.
    held_until: str | None = None
    # The provider budget had no call to spare for this run before this time; the
    # round it cut short (at ``cut_at``) stopped at ``resume_at`` (in round order).
    budget_until: str | None = None
    # The run's turn at the budget (see banksync.budget.turns): a cut run parks until it.
    turn_at: str | None = None
    resume_at: str | None = None
    cut_at: str | None = None
    # When the run polls every started item even if no webhook wakes it.
    fallback_at: str | None = None
    # The provider's webhooks were reliable at the last round: the run waits for them.
    awaiting_webhooks: bool = False
    # How long the last park was allowed to last: a short one is never followed by
    # another (``pacing.MIN_WAIT_SECONDS``).
    last_wait_seconds: int | None = None

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"REFRESH#{self.refresh_id}", "sk": "RUN"}

    @property
    def kind(self) -> str:
        """``on_demand``, ``scheduled`` or ``sweep``: the run's place in the budget."""
        return str(self.request.get("priority") or "scheduled")

    def to_record(self) -> dict[str, Any]:
        record = {**self.key, **asdict(self), "status": str(self.status)}
        record |= {"kind": "refresh_run", "run_kind": self.kind}
        record |= {"entity": "refresh_run", "schema_version": 1}  # schemas/records/
        # Every run is listed by creation time (gsi2); a sweep's runs by sweep (gsi1).
        record |= {"gsi2pk": "RUNS", "gsi2sk": f"{self.created_at}#{self.refresh_id}"}
        if self.request.get("sweep_id"):
            record |= {"gsi1pk": f"SWEEP#{self.request['sweep_id']}", "gsi1sk": self.refresh_id}
        return record

    def public(self) -> dict[str, Any]:
        """What GET /refreshes/{refresh_id} shows of the run: never its keys, nor the
        workflow's own bookkeeping (holds, budget turns, the wait on webhooks)."""
        view = {name: getattr(self, name) for name in PUBLIC_RUN_FIELDS}
        view |= {"status": str(self.status), "run_kind": self.kind}
        return {k: v for k, v in view.items() if v is not None}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        """A run as stored; also the bare record the state machine's last resort writes
        (status and error only) when even recording the failure failed."""
        fields = {k: v for k, v in record.items() if k in cls.__dataclass_fields__}
        fields.setdefault("refresh_id", str(record.get("pk", "")).removeprefix("REFRESH#"))
        moment = str(record.get("created_at") or record.get("updated_at") or "")
        fields.setdefault("created_at", moment)
        fields.setdefault("deadline_at", moment)
        return cls(**{**fields, "status": RunStatus(record.get("status") or RunStatus.FAILED)})


@dataclass(frozen=True)
class Progress:
    """What the state machine carries between states: a summary, never the data."""

    refresh_id: str
    done: bool
    wait_seconds: int
    counts: dict[str, int]
    # The customers' accounts are still to be looked up (the budget had no call for
    # it): the state machine waits ``wait_seconds`` and runs the start again.
    accounts_pending: bool = False

    def to_output(self) -> dict[str, Any]:
        output = asdict(self)
        if not self.accounts_pending:
            del output["accounts_pending"]  # the state machine routes on its presence
        return output
