"""Mono's balances and transaction rows in banksync's normalised fields: exact amounts
or a refusal naming the field, never a wrong amount and never another exception."""

import contextlib
import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banksync.mono.pushed import booked_text
from banksync.mono.rows import MonoRows
from banksync.mono.values import MonoValueError
from banksync.provider.records import TRANSACTION_FIELDS
from tests.support.mono import fixture

ROWS = MonoRows()
ACCOUNT = "66141b98aaa34e17e8cfdb76"


def documented_row() -> dict[str, Any]:
    return copy.deepcopy(fixture("transactions_page.json")["data"][0])


def test_the_documented_rows_read_as_banksync_transactions() -> None:
    first, second = fixture("transactions_page.json")["data"]
    fields = ROWS.transaction(first, ACCOUNT, "ngn")
    assert fields == {
        "transaction_id": "66141bbff58d2687e7d91234",
        "account_id": ACCOUNT,
        "amount": 500,
        "direction": "debit",
        "currency": "NGN",
        "booked_date": "2023-12-14",
        "booked_at": "2023-12-14T00:02:00.500Z",
        "value_date": None,
        "description": "PG00001",
        "reference": None,
        "status": "posted",
        "pending_transaction_id": None,
    }
    assert set(fields) == set(TRANSACTION_FIELDS)
    assert ROWS.transaction(second, ACCOUNT)["amount"] == 1000  # type: ignore[index]
    assert booked_text(first) == "2023-12-14T00:02:00.500Z"


def test_the_documented_balance_fills_the_ledger_only() -> None:
    balance = fixture("balance.json")["data"]
    assert ROWS.balance(balance, "acct", "2024-07-05T12:20:59.336Z") == {
        "account_id": "acct",
        "ledger": 53769,
        "available": None,
        "currency": "NGN",
        "as_of": "2024-07-05T12:20:59.336Z",
        "schema_version": 1,
    }
    assert ROWS.balance_summary(balance) == {
        "ledger_balance": 53769,
        "available_balance": None,
        "currency": "NGN",
    }
    # A stored balance with nothing in it reads as nothing, not as a refusal.
    assert ROWS.balance({}, "acct", "t")["ledger"] is None


@pytest.mark.parametrize(
    ("given_currency", "expected"),
    [
        ("GHC", "GHS"),
        ("ksh", "KES"),
        (" ngn ", "NGN"),
        ("ZAR", "ZAR"),
        ("naira", None),
        (None, None),
    ],
)
def test_currency_comes_from_the_account_in_iso_spelling(
    given_currency: str | None, expected: str | None
) -> None:
    assert ROWS.transaction(documented_row(), ACCOUNT, given_currency)["currency"] == expected  # type: ignore[index]


def test_a_row_without_an_id_is_not_a_transaction_and_v1_ids_are_read() -> None:
    row = documented_row()
    del row["id"]
    assert ROWS.transaction(row, ACCOUNT) is None
    row["_id"] = "v1-row"
    assert ROWS.transaction(row, ACCOUNT)["transaction_id"] == "v1-row"  # type: ignore[index]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", None),
        ("amount", 12.5),
        ("amount", 500.0),
        ("amount", "5.00"),
        ("amount", "1,500"),
        ("amount", -500),
        ("amount", True),
        ("amount", "1" * 31),
        ("type", None),
        ("type", "transfer"),
        ("date", None),
        ("date", "14-12-2023"),
        ("date", 1702512120),
    ],
)
def test_an_unreadable_field_is_refused_by_name(field: str, value: Any) -> None:
    row = documented_row()
    row[field] = value
    with pytest.raises(MonoValueError) as refused:
        ROWS.transaction(row, ACCOUNT)
    assert refused.value.field == field
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize("value", [12.5, "1.5", "abc", True, "-"])
def test_an_unreadable_balance_is_refused(value: Any) -> None:
    with pytest.raises(MonoValueError, match="balance"):
        ROWS.balance({"balance": value, "currency": "NGN"}, "acct", "t")


def test_an_overdrawn_balance_is_negative() -> None:
    assert ROWS.balance({"balance": "-1500"}, "acct", "t")["ledger"] == -1500
    assert ROWS.balance({"balance": -7}, "acct", "t")["ledger"] == -7


def test_pushed_data_names_its_account() -> None:
    balance = fixture("balance.json")["data"]
    (pushed,) = ROWS.pushed_rows("balance", {"account_id": "acct", "balance": balance})
    assert (pushed.account_id, pushed.raw, pushed.hints.nuban) == ("acct", balance, "0200000043")
    assert pushed.hints.currency == "NGN"
    rows = fixture("transactions_page.json")["data"]
    data = {"account_id": "acct", "transactions": rows}
    assert [p.account_id for p in ROWS.pushed_rows("transactions", data)] == ["acct", "acct"]
    assert ROWS.fetched_transactions(data) == rows
    assert ROWS.fetched_balance({"account_id": "acct", "balance": balance}) == balance
    assert ROWS.pushed_rows("balance", {})[0].raw == {}


anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


@given(amount=st.integers(min_value=0, max_value=10**30 - 1), spelled=st.booleans())
def test_whole_minor_units_are_read_exactly(amount: int, spelled: bool) -> None:
    row = documented_row() | {"amount": str(amount) if spelled else amount}
    assert ROWS.transaction(row, ACCOUNT)["amount"] == amount  # type: ignore[index]


@given(
    amount=anything,
    kind=st.one_of(st.sampled_from(["debit", "credit", " Debit ", "CREDIT"]), anything),
    date=st.one_of(st.datetimes().map(lambda d: d.isoformat()), anything),
)
def test_any_row_reads_exactly_or_is_refused_by_name(amount: Any, kind: Any, date: Any) -> None:
    row = documented_row() | {"amount": amount, "type": kind, "date": date}
    refused: str | None
    try:
        fields = ROWS.transaction(row, ACCOUNT, "NGN")
    except MonoValueError as error:
        refused = error.field
    else:
        refused = None
    if refused is not None:
        assert refused in {"amount", "type", "date"}
        return
    assert fields is not None
    # Read only when the figure is a whole, non-negative count of minor units as given.
    assert isinstance(amount, int | str)
    assert not isinstance(amount, bool)
    assert fields["amount"] == int(str(amount).strip())
    assert fields["direction"] == kind.strip().lower()
    assert fields["booked_at"].endswith("Z")


@given(
    row=st.dictionaries(st.sampled_from(["id", "amount", "type", "date", "narration"]), anything)
)
def test_rows_missing_fields_never_raise_anything_else(row: dict[str, Any]) -> None:
    with contextlib.suppress(MonoValueError):
        ROWS.transaction(row, ACCOUNT)
