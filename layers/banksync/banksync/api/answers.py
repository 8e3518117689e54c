"""The shapes of the API's answers, for its OpenAPI document.

The routes build their answers as dicts; these models say what those dicts
hold (names, types, enums, which fields are always there) and are checked
against real answers in tests/integration/test_openapi_answers.py and by
schemathesis (tests/contract). Objects are closed (``additionalProperties:
false``): an answer holds what its model names and nothing else, so no
storage key or bookkeeping field can leave the API unnoticed; a new field is
added to its model first.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from banksync.provider.model import Product
from banksync.refresh.model import ItemStatus, RunStatus

RunKind = Literal["on_demand", "scheduled", "sweep", "pushed"]
MAX_STALE_HOURS = 24 * 365
PAGING_NOTE = "present while more items follow: pass it back as next_token"


StaleHours = Annotated[int, Field(ge=0, le=MAX_STALE_HOURS)]


class Described(BaseModel):
    """An answer's shape: built only when the document is generated, never at cold start."""

    model_config = ConfigDict(defer_build=True, extra="forbid")


def no_default(schema: dict[str, Any]) -> None:
    """For a field that is absent rather than null: no ``default: null`` in its schema."""
    schema.pop("default", None)


# Refreshes ---------------------------------------------------------------


class RefreshAccepted(Described):
    refresh_id: str
    status: RunStatus
    status_url: str = Field(description="GET it to follow the refresh (also the Location header)")


class ItemBalance(Described):
    """The balance a succeeded balance item stored, as the provider gave it."""

    ledger_balance: float | str | None
    available_balance: float | str | None
    currency: str | None


class RefreshItemView(Described):
    """One (account, product) of a refresh."""

    account_id: str
    product: Product
    status: ItemStatus
    customer_id: str | None = None
    subscription_id: str | None = None
    reason: str | None = Field(default=None, description="why it failed, timed out or needs reauth")
    record_id: str | None = None
    attempts: int | None = None
    retry_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    new_transactions: int | None = None
    updated_transactions: int | None = None
    balance: ItemBalance | None = None
    pushed_at: str | None = None


class RefreshView(Described):
    refresh_id: str
    status: RunStatus
    created_at: str
    deadline_at: str
    request: dict[str, object] = Field(description="what was asked, with its priority")
    counts: dict[str, int] = Field(description="items by status")
    items: list[RefreshItemView]
    run_kind: RunKind | None = None
    updated_at: str | None = None
    finished_at: str | None = None
    error: str | None = Field(default=None, description="why the workflow failed")
    rounds: int | None = None


class RefreshListed(Described):
    """A refresh run, or an update the provider pushed (``kind=pushed``)."""

    status: str
    created_at: str
    refresh_id: str | None = None
    update_id: str | None = None
    run_kind: RunKind | None = None
    finished_at: str | None = None
    deadline_at: str | None = None
    counts: dict[str, int] | None = None
    request: dict[str, object] | None = None
    record_id: str | None = None
    product: Product | None = None
    account_id: str | None = None
    customer_id: str | None = None
    reason: str | None = None


class RefreshPage(Described):
    items: list[RefreshListed]
    next_token: str | None = Field(default=None, description=PAGING_NOTE)


# Sweeps -------------------------------------------------------------------


class SweepAccepted(Described):
    sweep_id: str
    status: Literal["queueing"]
    status_url: str


class SweepAccounts(Described):
    considered: int
    skipped_fresh: int
    skipped_reauth: int
    queued: int


class SweepItems(Described):
    queued: int
    started: int
    done: int
    by_status: dict[str, int]


class SweepView(Described):
    sweep_id: str
    status: Literal["queueing", "running", "completed"]
    trigger: str = Field(description="operator, or the daily schedule")
    created_at: str
    queued_at: str | None
    stale_after_hours: int
    pages: int
    accounts: SweepAccounts
    items: SweepItems
    refreshes: int


class SweepRequestBody(Described):
    """The optional body of POST /sweeps (read by ``sweeps._stale_hours``)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    # Absent means the stack's default; null is refused like any non-integer.
    stale_after_hours: StaleHours | SkipJsonSchema[None] = Field(
        default=None,
        description="refresh accounts whose data is older than this; absent: the stack's default",
        json_schema_extra=no_default,
    )
