"""The offline stack's activity feed says what the API would: balances in minor units."""

from devstack.feed import _describe


def test_a_stored_balance_is_shown_in_minor_units_as_the_api_gives_it() -> None:
    new = {
        "sk": "BALANCE#LATEST",
        "account_id": "6740a2b3c4d5e6f7a8000c01",
        "ledger": 74894200,
        "available": 74844250,
        "ledger_balance": 748942,
        "available_balance": 748442.5,
        "currency": "NGN",
    }
    assert _describe("BALANCE#LATEST", "INSERT", {}, new) == (
        "data",
        "balance stored for 6740a2b3c4d5e6f7a8000c01: "
        "ledger 74894200 available 74844250 (NGN minor units)",
    )


def test_a_balance_without_figures_says_so() -> None:
    new = {"sk": "BALANCE#LATEST", "account_id": "a-1", "currency": "NGN"}
    assert _describe("BALANCE#LATEST", "INSERT", {}, new) == (
        "data",
        "balance stored for a-1: ledger none available none (NGN minor units)",
    )
