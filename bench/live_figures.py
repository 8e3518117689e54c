"""The figures of `make bench-live`, from what was seen outside the stack.

Pure functions of observations (the provider's records and calls, what the API
answered), so that they are tested without a stack or real time.
"""

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# The budget's windows, as documented: rate / 60 calls a second, at least 10 calls
# and 6 s long.
WINDOW_CALLS, MIN_WINDOW_SECONDS = 10, 6.0
DASH = "n/a"


@dataclass(frozen=True)
class Item:
    """One (account, product) a phase refreshed, beside the provider's record of it."""

    account_id: str
    product: str
    status: str
    ready_at: float | None  # when the provider's record was ready (the provider's clock)
    stored_at: float | None  # when banksync says it finished (finished_at)
    right_data: bool  # what the API lists now is what the provider holds


@dataclass
class Phase:
    name: str
    began: float
    readiness: float  # seconds from a refresh to its data being ready
    budget_per_minute: int
    items: list[Item] = field(default_factory=list)
    calls: list[tuple[float, int]] = field(default_factory=list)  # (at, HTTP status)
    history_events: list[int] = field(default_factory=list)  # per execution
    first_calls: list[float] | None = None  # on-demand: POST → the run's first call
    reappeared: int | None = None  # rows the provider took back that came back


def window_seconds(rate_per_minute: int) -> float:
    return max(MIN_WINDOW_SECONDS, WINDOW_CALLS * 60 / rate_per_minute)


def within_target(latency: float, readiness: float) -> bool:
    """The issue's freshness target with webhooks: stored within max(2 s, 10 % of readiness)."""
    return latency <= max(2.0, readiness / 10)


def latencies(items: Iterable[Item]) -> list[float]:
    """Ready → stored of every succeeded item whose record and finish are known."""
    return [
        item.stored_at - item.ready_at
        for item in items
        if item.status == "succeeded" and item.ready_at is not None and item.stored_at is not None
    ]


def median_max(values: Sequence[float]) -> str:
    if not values:
        return DASH
    return f"{statistics.median(values):.1f} s / {max(values):.1f} s"


def drain(phase: Phase) -> tuple[float, float] | None:
    """(seconds from the phase's start to its last item stored, the calls made ÷ budget)."""
    stored = [i.stored_at for i in phase.items if i.stored_at is not None]
    made = [at for at, status in phase.calls if status != 429]
    if not stored or not made:
        return None
    return max(stored) - phase.began, len(made) * 60 / phase.budget_per_minute


def figures(phase: Phase) -> dict[str, str]:
    """Row label → this phase's cell."""
    items, made = phase.items, [c for c in phase.calls if c[1] != 429]
    right = sum(1 for i in items if i.status == "succeeded" and i.right_data)
    ready_stored = latencies(items)
    on_target = sum(1 for value in ready_stored if within_target(value, phase.readiness))
    drained = drain(phase)
    cells = {
        "items succeeded with the right data": f"{right}/{len(items)}",
        "429s": str(sum(1 for _, status in phase.calls if status == 429)),
        "drain ÷ (calls ÷ budget)": (
            f"{drained[0] / drained[1]:.2f}x ({drained[0]:.0f} s ÷ {drained[1]:.0f} s)"
            if drained
            else DASH
        ),
        "provider calls per item": (
            f"{len(made) / len(items):.2f} ({len(made)} calls)" if items else DASH
        ),
        "ready → stored, median / max": median_max(ready_stored),
        "ready → stored ≤ max(2 s, 10 % of readiness)": f"{on_target}/{len(ready_stored)}",
        "on-demand: POST → first provider call, median / max": DASH,
        "on-demand: first call within one budget window": DASH,
        "deleted rows that reappeared": DASH if phase.reappeared is None else str(phase.reappeared),
        "history events per execution, max": (
            f"{max(phase.history_events)} ({len(phase.history_events)} executions)"
            if phase.history_events
            else DASH
        ),
    }
    if phase.first_calls is not None:
        window = window_seconds(phase.budget_per_minute)
        inside = sum(1 for value in phase.first_calls if value <= window)
        cells["on-demand: POST → first provider call, median / max"] = median_max(phase.first_calls)
        cells["on-demand: first call within one budget window"] = (
            f"{inside}/{len(phase.first_calls)} within {window:.0f} s"
        )
    return cells


def table(phases: Sequence[Phase]) -> list[str]:
    """The figures as a Markdown table: a row per figure, a column per phase."""
    columns = [figures(phase) for phase in phases]
    lines = [
        "| figure | " + " | ".join(phase.name for phase in phases) + " |",
        "|---" * (len(phases) + 1) + "|",
    ]
    for label in columns[0] if columns else ():
        lines.append(f"| {label} | " + " | ".join(cells[label] for cells in columns) + " |")
    return lines


def minor_units(value: Any) -> int | None:
    """An Okra amount (major units, a number or a string) in minor units (2 decimals)."""
    if value is None or value == "":
        return None
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    return int(exact * 100)


def provider_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """The provider's transactions as (amount, direction, status) by id."""
    found: dict[str, tuple[Any, ...]] = {}
    for row in rows:
        direction = "debit" if row.get("debit") not in (None, "") else "credit"
        status = "posted" if row.get("cleared_date") else "pending"
        found[str(row.get("_id") or row.get("id"))] = (
            minor_units(row.get(direction)),
            direction,
            status,
        )
    return found


def listed_rows(items: Iterable[Mapping[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """The API's transactions as (amount, direction, status) by id."""
    return {
        str(item["transaction_id"]): (item.get("amount"), item.get("direction"), item.get("status"))
        for item in items
    }


def reappeared(
    taken_back: Iterable[str], listed: Iterable[str], feed: Iterable[tuple[str, str, int]]
) -> int:
    """Rows the provider took back that the API lists, or whose latest change in the
    feed (transaction id, change, change_seq) is not their removal."""
    latest: dict[str, tuple[int, str]] = {}
    for transaction_id, change, seq in feed:
        if transaction_id not in latest or seq >= latest[transaction_id][0]:
            latest[transaction_id] = (seq, change)
    shown = set(listed)
    return sum(
        1
        for row in set(taken_back)
        if row in shown or (row in latest and latest[row][1] != "removed")
    )
