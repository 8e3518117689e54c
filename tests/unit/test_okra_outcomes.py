from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banksync.okra.outcomes import classify_callback
from banksync.provider.model import Failed, NotReady, Ready, ReauthRequired

BALANCE = {"balance": {"ledger_balance": 1}}


@pytest.mark.parametrize(
    ("status_code", "body", "expected"),
    [
        (202, {"status": "processing", "data": {}}, NotReady),
        (202, None, NotReady),
        (200, {"status": "processing"}, NotReady),
        (200, {"status": "PENDING", "data": BALANCE}, NotReady),
        (200, {"status": "success", "data": {}}, NotReady),
        (200, {"status": "success"}, NotReady),
        (200, {"status": "success", "data": BALANCE}, Ready),
        (200, {"status": "error", "message": "bank said no"}, Failed),
        (400, {"status": "error", "type": "REAUTH_REQUIRED", "message": "x"}, ReauthRequired),
        (200, {"status": "error", "message": "Customer must re-authorise"}, ReauthRequired),
        (200, {"status": "success", "data": {"reauth": True}}, ReauthRequired),
        (404, {"status": "error", "message": "Record not found"}, Failed),
        (200, {"status": "mystery"}, Failed),
        (200, "not an object", Failed),
    ],
)
def test_callback_mapping(status_code: int, body: Any, expected: type) -> None:
    assert isinstance(classify_callback(status_code, body), expected)


def test_failure_keeps_the_provider_message() -> None:
    assert classify_callback(200, {"status": "error", "message": "bank said no"}) == Failed(
        "bank said no"
    )


# Okra's published client models: a callback still being prepared answers
# status "success" with data.status.process.running / completed.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
IN_PROGRESS = st.sampled_from(
    [
        {"process": {"running": True}},
        {"process": {"completed": False}},
        {"process": {"running": True, "completed": False}},
        {"status": "processing"},
        "pending",
        "RUNNING",
    ]
)


@given(progress=IN_PROGRESS, rest=st.dictionaries(st.text(max_size=8), JSON, max_size=4))
def test_an_in_progress_success_is_never_ready(progress: Any, rest: dict[str, Any]) -> None:
    data = {**rest, "status": progress}
    assert isinstance(classify_callback(200, {"status": "success", "data": data}), NotReady)


@given(rest=st.dictionaries(st.text(max_size=8), JSON, min_size=1, max_size=4))
def test_a_completed_process_with_data_is_ready(rest: dict[str, Any]) -> None:
    data = {**rest, "status": {"process": {"running": False, "completed": True}}}
    assert classify_callback(200, {"status": "success", "data": data}) == Ready(data)


@given(status_code=st.integers(100, 599), body=JSON)
def test_every_answer_maps_to_one_outcome_without_raising(status_code: int, body: Any) -> None:
    outcome = classify_callback(status_code, body)
    assert isinstance(outcome, Ready | NotReady | Failed | ReauthRequired)
    if isinstance(outcome, Ready):
        assert status_code != 202
        assert isinstance(body, dict)
        assert str(body.get("status")).lower() == "success"


def test_errors_may_carry_msg_instead_of_message() -> None:
    assert classify_callback(400, {"status": "error", "msg": "no such record"}) == Failed(
        "no such record"
    )
