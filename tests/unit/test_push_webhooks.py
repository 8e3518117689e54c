"""Reading a stored provider webhook as news about a record's data."""

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from banksync.okra.announcements import DATA_CODES, announcement_of

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def stored(code: str, payload: Any, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": "evt",
        "code": code,
        "record_id": "rec",
        "received_at": "2026-12-02T10:00:00.000Z",
        "payload": json.dumps(payload),
        **fields,
    }


@given(code=st.sampled_from(sorted(DATA_CODES)), payload=JSON, ended_at=JSON)
def test_any_payload_reads_without_raising(code: str, payload: Any, ended_at: Any) -> None:
    webhook = announcement_of(stored(code, payload, ended_at=ended_at))
    assert webhook is not None
    assert webhook.product in ("balance", "transactions")
    assert webhook.new_transactions is None or webhook.new_transactions >= 0
    assert all(isinstance(t, str) and t for t in webhook.removed_transactions)
    assert webhook.as_of <= "2026-12-02T10:00:00.000Z"


@given(count=st.integers(min_value=0, max_value=10**6), as_text=st.booleans())
def test_a_count_is_read_as_a_number_or_numeric_text(count: int, as_text: bool) -> None:
    payload = {"new_transactions": str(count) if as_text else count}
    webhook = announcement_of(stored("PERIODIC_TRANSACTIONS", payload))
    assert webhook is not None
    assert webhook.new_transactions == count
    assert webhook.nothing_new is (count == 0)


@given(bad=st.sampled_from([-1, "3.5", "", "²", True, None, [1], {"n": 1}, 2.5]))
def test_a_count_that_is_not_a_count_is_unknown_never_zero(bad: Any) -> None:
    webhook = announcement_of(stored("PERIODIC_TRANSACTIONS", {"new_transactions": bad}))
    assert webhook is not None
    assert webhook.new_transactions is None
    assert not webhook.nothing_new, "an unreadable count must not skip the fetch"


def test_removed_rows_come_as_ids_or_rows_and_once_each() -> None:
    payload = {"removed_transactions": ["a", {"_id": "b"}, {"id": "c"}, "a", "", None, True]}
    webhook = announcement_of(stored("TRANSACTIONS_DELETED", payload))
    assert webhook is not None
    assert webhook.deletion
    assert webhook.removed_transactions == ("a", "b", "c")


def test_other_webhooks_are_not_data_webhooks() -> None:
    assert announcement_of(stored("AUTH_SUCCESS", {})) is None
    assert announcement_of({"code": None}) is None


def test_the_data_is_as_of_the_providers_end_time_but_never_after_receipt() -> None:
    before = announcement_of(stored("BALANCE_SUCCESS", {}, ended_at="2026-12-02T09:59:00Z"))
    after = announcement_of(stored("BALANCE_SUCCESS", {}, ended_at="2027-01-01T00:00:00Z"))
    assert before is not None
    assert before.as_of == "2026-12-02T09:59:00.000Z"
    assert after is not None
    assert after.as_of == "2026-12-02T10:00:00.000Z"
