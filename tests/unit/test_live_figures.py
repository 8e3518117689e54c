"""The figures `make bench-live` prints, from observations made outside the stack."""

from hypothesis import given
from hypothesis import strategies as st

from bench.live_figures import (
    Item,
    Phase,
    figures,
    listed_rows,
    minor_units,
    provider_rows,
    reappeared,
    table,
    window_seconds,
    within_target,
)


def item(status: str = "succeeded", ready: float | None = 100.0, stored: float | None = 101.0,
         right: bool = True) -> Item:  # fmt: skip
    return Item("acct-1", "balance", status, ready, stored, right)


def phase(**fields: object) -> Phase:
    found = Phase("sweep", began=0.0, readiness=20.0, budget_per_minute=40)
    for name, value in fields.items():
        setattr(found, name, value)
    return found


def test_an_item_counts_as_right_only_when_it_succeeded_with_the_providers_data() -> None:
    cells = figures(phase(items=[item(), item(right=False), item(status="timed_out")]))
    assert cells["items succeeded with the right data"] == "1/3"


def test_drain_is_compared_with_the_calls_made_at_the_budgets_rate() -> None:
    calls = [(float(t), 200) for t in range(80)] + [(5.0, 429)]
    cells = figures(phase(items=[item(stored=150.0), item(stored=180.0)], calls=calls))
    # 80 calls at 40 a minute take 120 s; the last item was stored 180 s after the start
    assert cells["drain ÷ (calls ÷ budget)"] == "1.50x (180 s ÷ 120 s)"
    assert cells["429s"] == "1"
    assert cells["provider calls per item"] == "40.00 (80 calls)"


def test_ready_to_stored_counts_succeeded_items_whose_record_is_known() -> None:
    items = [item(ready=10.0, stored=11.0), item(ready=10.0, stored=13.0), item(ready=None)]
    items.append(item(status="failed", ready=10.0, stored=500.0))
    cells = figures(phase(items=items))
    assert cells["ready → stored, median / max"] == "2.0 s / 3.0 s"
    assert cells["ready → stored ≤ max(2 s, 10 % of readiness)"] == "1/2"


@given(readiness=st.floats(0, 3600), latency=st.floats(0, 3600))
def test_the_freshness_target_is_two_seconds_or_a_tenth_of_readiness(
    readiness: float, latency: float
) -> None:
    assert within_target(latency, readiness) == (latency <= max(2.0, readiness / 10))


def test_on_demand_first_calls_are_judged_against_one_budget_window() -> None:
    assert window_seconds(40) == 15.0
    assert window_seconds(600) == 6.0  # a window is never shorter than 6 s
    cells = figures(phase(first_calls=[0.5, 3.0, 16.0]))
    assert cells["on-demand: POST → first provider call, median / max"] == "3.0 s / 16.0 s"
    assert cells["on-demand: first call within one budget window"] == "2/3 within 15 s"
    assert figures(phase())["on-demand: first call within one budget window"] == "n/a"


def test_a_row_taken_back_reappears_when_listed_or_left_added_in_the_feed() -> None:
    feed = [("t-1", "added", 1), ("t-1", "removed", 4), ("t-2", "added", 2), ("t-3", "added", 3)]
    assert reappeared({"t-1"}, listed=set(), feed=feed) == 0
    assert reappeared({"t-1", "t-2"}, listed=set(), feed=feed) == 1  # added, never removed
    assert reappeared({"t-1"}, listed={"t-1"}, feed=feed) == 1  # removed, yet listed
    assert reappeared({"t-9"}, listed=set(), feed=feed) == 0  # never stored at all


def test_provider_rows_and_listed_rows_compare_in_minor_units() -> None:
    rows: list[dict[str, object]] = [
        {"_id": "t-1", "debit": 1500.5, "credit": None, "cleared_date": "2026-01-01"},
        {"id": "t-2", "debit": None, "credit": "20.10", "cleared_date": None},
    ]
    listed = [
        {"transaction_id": "t-1", "amount": 150050, "direction": "debit", "status": "posted"},
        {"transaction_id": "t-2", "amount": 2010, "direction": "credit", "status": "pending"},
    ]
    assert provider_rows(rows) == listed_rows(listed)
    assert minor_units(0.1) == 10
    assert minor_units(None) is None


def test_the_table_has_a_column_per_phase_and_a_row_per_figure() -> None:
    lines = table([phase(name="webhooks on"), phase(name="webhooks lost")])
    assert lines[0] == "| figure | webhooks on | webhooks lost |"
    assert lines[1] == "|---|---|---|"
    assert len(lines) == 2 + len(figures(phase()))
    assert all(line.count("|") == 4 for line in lines)
