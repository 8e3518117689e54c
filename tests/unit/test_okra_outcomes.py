from typing import Any

import pytest

from banksync.okra.outcomes import (
    Failed,
    NotReady,
    Ready,
    ReauthRequired,
    classify_callback,
)

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
