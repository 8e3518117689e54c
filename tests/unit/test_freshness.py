"""Which products the daily work refreshes: the provider's push keeps data fresh for a
day and some drift; banksync's own refreshes only until the next day's sweep."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from banksync.bankdata.freshness import stale_products
from banksync.clock import iso

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
THRESHOLD = timedelta(hours=26)
AGES = st.one_of(st.none(), st.integers(min_value=0, max_value=96 * 3600))


def profile(pushed_age: int | None, synced_age: int | None) -> dict[str, str]:
    record = {}
    if pushed_age is not None:
        record["balance_pushed_at"] = iso(NOW - timedelta(seconds=pushed_age))
    if synced_age is not None:
        record["balance_synced_at"] = iso(NOW - timedelta(seconds=synced_age))
    return record


@given(pushed=AGES, synced=AGES)
def test_a_product_is_refreshed_unless_pushed_within_the_threshold_or_just_fetched(
    pushed: int | None, synced: int | None
) -> None:
    stale = stale_products(profile(pushed, synced), ["balance"], NOW, THRESHOLD) == ["balance"]
    pushed_recently = pushed is not None and pushed < THRESHOLD.total_seconds()
    fetched_recently = synced is not None and synced < 2 * 3600
    assert stale is not (pushed_recently or fetched_recently)


def test_data_banksync_fetched_yesterday_is_refreshed_today() -> None:
    # Webhooks lost: yesterday's sweep fetched it; today's must not skip it (24 h < 26 h).
    assert stale_products(profile(None, 24 * 3600), ["balance"], NOW, THRESHOLD) == ["balance"]
    assert stale_products(profile(6 * 3600, 6 * 3600), ["balance"], NOW, THRESHOLD) == []


def test_an_unreadable_time_is_stale() -> None:
    account = {"balance_pushed_at": "yesterday", "balance_synced_at": "soon"}
    assert stale_products(account, ["balance"], NOW, THRESHOLD) == ["balance"]
