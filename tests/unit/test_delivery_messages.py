"""Which queued message makes a delivery's next attempt once a replay moved it forward."""

from datetime import UTC, datetime, timedelta

from banksync.clock import iso
from banksync.delivery.messages import LOST_AFTER, superseded_hold
from banksync.delivery.model import Delivery

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LATER = iso(NOW + timedelta(hours=1))


def pending(next_attempt_at: str | None) -> Delivery:
    return Delivery(
        "sub_1",
        "msg_1",
        "balance.succeeded",
        "{}",
        "https://x",
        iso(NOW),
        attempt_count=1,
        next_attempt_at=next_attempt_at,
    )


def message(due: str | None) -> dict[str, object]:
    found: dict[str, object] = {"subscription_id": "sub_1", "delivery_id": "msg_1", "attempt": 1}
    return found | ({"due": due} if due else {})


def test_the_message_for_the_time_the_delivery_waits_for_goes_on() -> None:
    assert superseded_hold(message(LATER), pending(LATER), NOW) is None
    assert superseded_hold(message(None), pending(LATER), NOW) is None  # queued before due
    assert superseded_hold(message(LATER), pending(None), NOW) is None  # a first attempt


def test_the_message_a_replay_superseded_waits_for_the_replays_own() -> None:
    moved = pending(iso(NOW))
    assert superseded_hold(message(LATER), moved, NOW) == LOST_AFTER
    assert superseded_hold(message(LATER), moved, NOW + timedelta(minutes=1)) == LOST_AFTER - (
        timedelta(minutes=1)
    )


def test_once_the_replays_message_is_overdue_it_was_lost_and_this_one_goes_on() -> None:
    assert superseded_hold(message(LATER), pending(iso(NOW)), NOW + LOST_AFTER) is None
