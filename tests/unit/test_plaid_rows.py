"""Plaid's transactions and balances in banksync's normalised fields."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banksync.plaid.rows import PlaidRows, PlaidValueError
from banksync.provider.records import TRANSACTION_FIELDS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plaid"
ROWS = PlaidRows()


def fixture(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return found


SYNC = fixture("transactions_sync_page.json")
POSTED, PENDING = SYNC["added"]


def row(**changes: Any) -> dict[str, Any]:
    return {**POSTED, **changes}


def test_a_posted_purchase_is_a_debit_in_cents_naming_the_pending_row_it_replaces() -> None:
    found = ROWS.transaction(POSTED, "fallback")
    assert found is not None
    assert set(found) == set(TRANSACTION_FIELDS)
    assert found == {
        "transaction_id": "lPNjeW1nR6CDn5okmGQ6hEpMo4lLNoSrzqDje",
        "account_id": "BxBXxLj1m4HMXBm9WZZmCWVbPjX16EHwv99vp",
        "amount": 7210,
        "direction": "debit",
        "currency": "USD",
        "booked_date": "2023-09-25",
        "booked_at": "2023-09-25T11:01:01.000Z",
        "value_date": "2023-09-24",
        "description": "PURCHASE WM SUPERCENTER #1700",
        "reference": None,
        "status": "posted",
        "pending_transaction_id": "no86Eox18VHMvaOVL7gPUM9ap3aR1LsAVZ5nc",
    }


def test_a_negative_plaid_amount_is_money_in_and_a_pending_row_says_so() -> None:
    found = ROWS.transaction(PENDING, "fallback")
    assert found is not None
    assert (found["amount"], found["direction"], found["status"]) == (150005, "credit", "pending")
    assert (found["booked_at"], found["reference"]) == ("2023-09-26T00:00:00.000Z", "ACH-8841")


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_any_two_place_amount_reads_exactly_in_cents(amount: Decimal) -> None:
    found = ROWS.transaction(row(amount=float(amount)), "a")
    assert found is not None
    assert found["amount"] == abs(int(amount * 100))
    assert found["direction"] == ("credit" if amount < 0 else "debit")


@pytest.mark.parametrize(
    ("currency", "amount", "minor"), [("JPY", 1234, 1234), ("KWD", 1.234, 1234), ("GBP", 0.1, 10)]
)
def test_minor_units_follow_the_currency_exponent(currency: str, amount: float, minor: int) -> None:
    found = ROWS.transaction(row(iso_currency_code=currency, amount=amount), "a")
    assert found is not None
    assert found["amount"] == minor


def test_an_unofficial_currency_is_refused_not_guessed() -> None:
    crypto = row(iso_currency_code=None, unofficial_currency_code="BTC")
    with pytest.raises(PlaidValueError, match="iso_currency_code: absent: an unofficial"):
        ROWS.transaction(crypto, "a")


@pytest.mark.parametrize(("field", "value"), [("amount", None), ("amount", "x"), ("date", "soon")])
def test_an_unreadable_field_is_refused_by_name(field: str, value: Any) -> None:
    with pytest.raises(PlaidValueError, match=field):
        ROWS.transaction(row(**{field: value}), "a")


def test_a_row_without_an_id_is_not_a_transaction() -> None:
    assert ROWS.transaction(row(transaction_id=None), "a") is None


def test_added_and_modified_are_the_rows_fetched_each_with_its_account() -> None:
    rows = ROWS.pushed_rows("transactions", SYNC)
    assert [r.raw["transaction_id"] for r in rows] == [
        POSTED["transaction_id"],
        PENDING["transaction_id"],
        SYNC["modified"][0]["transaction_id"],
    ]
    assert {r.account_id for r in rows} == {POSTED["account_id"]}


def test_a_balance_reads_current_as_ledger_and_available_as_spendable() -> None:
    checking, credit = fixture("accounts_balance_get.json")["accounts"]
    found = ROWS.balance(checking, "acc", "2023-09-26T00:00:00.000Z")
    assert (found["ledger"], found["available"], found["currency"]) == (11094, 10000, "USD")
    assert ROWS.balance(credit, "acc", "t")["available"] is None
    assert ROWS.balance_summary(checking) == {
        "ledger_balance": 110.94,
        "available_balance": 100,
        "currency": "USD",
    }


def test_a_pushed_balance_hints_the_account_it_names() -> None:
    checking = fixture("accounts_balance_get.json")["accounts"][0]
    (pushed,) = ROWS.pushed_rows("balance", {"account_id": "acc", "balance": checking})
    assert (pushed.account_id, pushed.hints.nuban, pushed.hints.currency) == ("acc", "0000", "USD")
    assert ROWS.fetched_balance({"account_id": "acc", "balance": checking}) is checking
    assert ROWS.booked_text(POSTED) == "2023-09-25"
