"""What an attempt's answer means: Retry-After parsed both ways, the window never left."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from hypothesis import given
from hypothesis import strategies as st

from banksync.delivery.flow import GIVE_UP_AFTER, STOP_HEADER, decide, retry_after_seconds

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(seconds=st.integers(0, 10**9))
def test_delay_seconds_are_read_as_seconds(seconds: int) -> None:
    assert retry_after_seconds(str(seconds), NOW) == seconds


@given(moment=moments)
def test_an_http_date_is_read_as_the_time_until_it(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    expected = max(0.0, (moment - NOW).total_seconds())
    assert retry_after_seconds(format_datetime(moment, usegmt=True), NOW) == expected


@given(text=st.text(max_size=40))
def test_anything_else_is_no_wait_or_none_and_never_raises(text: str) -> None:
    found = retry_after_seconds(text, NOW)
    assert found is None or found >= 0


@given(
    code=st.sampled_from([429, 503, 500, 404, 302]),
    retry_after=st.none() | st.integers(0, 10**6).map(str),
    elapsed=st.integers(0, 150 * 60),
)
def test_the_next_attempt_is_a_minute_or_more_later_and_inside_the_window(
    code: int, retry_after: str | None, elapsed: int
) -> None:
    started = NOW - timedelta(seconds=elapsed)
    attempt = {"at": NOW.isoformat(), "status_code": code, "retry_after": retry_after}
    decision = decide(attempt, started, NOW)
    if elapsed + 60 > GIVE_UP_AFTER.total_seconds():
        assert decision.status == "abandoned"
        return
    assert decision.status == "pending"
    assert decision.next_attempt_at is not None
    wait = (decision.next_attempt_at - NOW).total_seconds()
    assert wait >= 60
    assert decision.next_attempt_at <= started + GIVE_UP_AFTER
    if code not in (429, 503) or retry_after is None:
        assert wait == 60  # the schedule of before, unchanged
    elif int(retry_after) <= 60:
        assert wait == 60
    else:
        assert wait == min(int(retry_after), GIVE_UP_AFTER.total_seconds() - elapsed)


def test_410_and_the_stop_header_end_the_delivery() -> None:
    gone = decide({"at": NOW.isoformat(), "status_code": 410}, NOW, NOW)
    assert gone.status == "abandoned"
    assert gone.disable_webhook
    stopped = decide({"at": NOW.isoformat(), "status_code": 500, "stop_requested": True}, NOW, NOW)
    assert stopped.status == "stopped"
    assert STOP_HEADER in str(stopped.reason)
    # A 2xx is delivered, whatever it asks.
    taken = decide({"at": NOW.isoformat(), "status_code": 204, "stop_requested": True}, NOW, NOW)
    assert taken.status == "delivered"
