"""Okra transaction and balance rows, every variant, as banksync's stable shapes."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banksync.okra.amounts import decimal_amount, minor_units
from banksync.okra.balances import normalise_balance
from banksync.okra.transactions import normalise_transaction
from banksync.provider.records import TRANSACTION_FIELDS as FIELDS

# Kobo amounts up to a billion naira, as the provider could send them.
kobo = st.integers(min_value=0, max_value=100_000_000_000)


def as_number(minor: int) -> float | int:
    return minor // 100 if minor % 100 == 0 else minor / 100


def as_text(minor: int, commas: bool) -> str:
    major, cents = divmod(minor, 100)
    whole = f"{major:,}" if commas else str(major)
    return f"{whole}.{cents:02d}"


spelled = st.one_of(
    kobo.map(lambda m: (m, as_number(m))),
    st.tuples(kobo, st.booleans()).map(lambda mc: (mc[0], as_text(*mc))),
)
ids = st.text("0123456789abcdef", min_size=1, max_size=24)
times = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
).map(lambda d: d.isoformat() + "Z")


@given(spelled)
def test_amounts_are_exact_minor_units_whatever_the_spelling(amount: tuple[int, Any]) -> None:
    minor, sent = amount
    assert minor_units(sent, "NGN") == minor
    assert isinstance(minor_units(sent, "NGN"), int)


@pytest.mark.parametrize(
    ("sent", "currency", "minor"),
    [
        (1500.5, "NGN", 150050),
        ("1,500.50", "NGN", 150050),
        (" 1500 ", "KES", 150000),
        ("0.1", "NGN", 10),
        (0.1 + 0.2, "NGN", 30),  # 0.30000000000000004: rounded, never a float cent
        (1500, "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("-25.00", "NGN", -2500),
    ],
)
def test_amount_examples(sent: Any, currency: str, minor: int) -> None:
    assert minor_units(sent, currency) == minor


@given(st.one_of(st.none(), st.booleans(), st.text(max_size=40), st.lists(st.integers())))
def test_unreadable_amounts_are_none_never_an_error(sent: Any) -> None:
    amount = decimal_amount(sent)
    if amount is not None:
        assert isinstance(sent, str)
        assert amount == Decimal(sent.strip().replace(",", ""))


@pytest.mark.parametrize("sent", ["1,50.00", "1.5.0", "NaN", "inf", "1e5", "₦100", "", "12,3456"])
def test_malformed_amount_text_is_refused(sent: str) -> None:
    assert decimal_amount(sent) is None


@st.composite
def okra_rows(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A provider row in one of its spellings, and what banksync must make of it."""
    minor, sent = draw(spelled)
    side = draw(st.sampled_from(["debit", "credit"]))
    provider_id = draw(ids)
    booked = draw(times)
    pending = draw(st.booleans())
    row: dict[str, Any] = {draw(st.sampled_from(["_id", "id"])): provider_id, side: sent}
    if draw(st.booleans()):
        row["debit" if side == "credit" else "credit"] = draw(st.sampled_from([None, 0, "0.00"]))
    row["trans_date"] = booked
    cleared_style = draw(st.sampled_from(["null", "absent", "status"]))
    if pending:
        if cleared_style == "status":
            row["status"] = "pending"
        else:
            row["cleared_date"] = None
    elif cleared_style == "null":
        row["cleared_date"] = booked
    elif cleared_style == "status":
        row["status"] = "posted"
    notes = draw(st.sampled_from(["dict", "text", "absent"]))
    if notes == "dict":
        row["notes"] = {"desc": "POS purchase", "topics": []}
    elif notes == "text":
        row["notes"] = "POS purchase"
    currency = draw(st.sampled_from(["NGN", "ngn", None]))
    if currency:
        row["currency"] = currency
    for extra in draw(st.sets(st.sampled_from(["ref", "branch", "code", "env", "bank"]))):
        row[extra] = "x"
    expected = {
        "transaction_id": provider_id,
        "amount": minor,
        "direction": side if minor else None,
        "currency": "NGN" if currency else "KES",
        "booked_at_prefix": booked[:19],
        "status": "pending" if pending else "posted",
        "description": None if notes == "absent" else "POS purchase",
    }
    return row, expected


@given(okra_rows())
def test_every_row_variant_normalises_to_one_shape(case: tuple[dict[str, Any], Any]) -> None:
    row, expected = case
    normalised = normalise_transaction(row, "acct-1", account_currency="KES")
    assert normalised is not None
    assert tuple(normalised) == FIELDS
    assert normalised["transaction_id"] == expected["transaction_id"]
    assert normalised["account_id"] == "acct-1"
    assert normalised["amount"] == expected["amount"]
    assert type(normalised["amount"]) is int
    if expected["direction"]:
        assert normalised["direction"] == expected["direction"]
    assert normalised["currency"] == expected["currency"]
    assert normalised["status"] == expected["status"]
    assert normalised["description"] == expected["description"]
    assert normalised["booked_at"].startswith(expected["booked_at_prefix"])
    assert normalised["booked_date"] == expected["booked_at_prefix"][:10]


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "_id",
                "id",
                "debit",
                "credit",
                "trans_date",
                "cleared_date",
                "notes",
                "currency",
                "status",
                "ref",
            ]
        ),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(),
            st.text(max_size=20),
            st.lists(st.integers(), max_size=2),
            st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
        ),
    )
)
def test_any_row_normalises_or_is_not_a_transaction_never_an_error(row: dict[str, Any]) -> None:
    normalised = normalise_transaction(row, "acct-1")
    if normalised is None:
        return
    assert normalised["amount"] is None or type(normalised["amount"]) is int
    assert normalised["direction"] in ("debit", "credit", None)
    assert normalised["status"] in ("pending", "posted")


def test_a_row_without_an_id_is_not_a_transaction() -> None:
    assert normalise_transaction({"debit": 5, "_id": ""}, "a") is None
    assert normalise_transaction({"debit": 5, "id": None}, "a") is None


def test_a_row_without_amounts_has_none_rather_than_zero() -> None:
    normalised = normalise_transaction({"_id": "t"}, "a")
    assert normalised is not None
    assert (normalised["amount"], normalised["direction"]) == (None, None)


def test_both_sides_net_out_and_a_negative_credit_is_a_debit() -> None:
    both = normalise_transaction({"_id": "t", "debit": "10.00", "credit": 25}, "a")
    negative = normalise_transaction({"_id": "t", "credit": "-3.50"}, "a")
    assert both is not None
    assert negative is not None
    assert (both["amount"], both["direction"]) == (1500, "credit")
    assert (negative["amount"], negative["direction"]) == (350, "debit")


def test_pending_then_posted_is_the_same_transaction() -> None:
    pending = {
        "_id": "t-9",
        "debit": 12.5,
        "trans_date": "2026-11-20T10:00:00Z",
        "cleared_date": None,
        "pending_transaction_id": None,
    }
    posted = {**pending, "cleared_date": "2026-11-21T08:00:00+01:00"}
    before, after = normalise_transaction(pending, "a"), normalise_transaction(posted, "a")
    assert before is not None
    assert after is not None
    assert (before["status"], after["status"]) == ("pending", "posted")
    assert before["transaction_id"] == after["transaction_id"]
    assert after["value_date"] == "2026-11-21"  # the bank's own date, not UTC's


def test_a_posted_row_keeps_the_link_to_the_pending_one() -> None:
    posted = normalise_transaction({"_id": "t-2", "debit": 1, "pending_transaction_id": "t-1"}, "a")
    assert posted is not None
    assert posted["pending_transaction_id"] == "t-1"


@given(spelled, spelled)
def test_balances_are_minor_units(ledger: tuple[int, Any], available: tuple[int, Any]) -> None:
    balance = {"ledger_balance": ledger[1], "available_balance": available[1], "currency": "ngn"}
    normalised = normalise_balance(balance, "a", "2026-11-21T10:00:00.000Z")
    assert (normalised["ledger"], normalised["available"]) == (ledger[0], available[0])
    assert normalised["currency"] == "NGN"
    assert normalised["schema_version"] == 1


def test_a_balance_without_figures_is_none_not_zero() -> None:
    normalised = normalise_balance({"currency": "NGN"}, "a", "t")
    assert normalised["ledger"] is None
    assert normalised["available"] is None
