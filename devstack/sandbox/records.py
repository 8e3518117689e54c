"""What the sandbox keeps: every call it answered, and every refresh's record."""

from dataclasses import dataclass

from devstack.sandbox.world import AccountSpec


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    account_id: str | None
    status: int
    at: float  # the sandbox clock when the call arrived
    customer_id: str | None = None  # the customer an accounts lookup named


@dataclass(frozen=True)
class Record:
    record_id: str
    account: AccountSpec
    product: str
    ready_at: float
    snapshot: int  # how many refreshes of this product came before this one
    created_at: float  # when the refresh was asked for
    removed: frozenset[str] = frozenset()  # rows taken back before the refresh
