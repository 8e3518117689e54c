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


def item(status: str, **more: str) -> dict[str, str]:
    return {
        "pk": "REFRESH#rs_1_1",
        "sk": "ITEM#acc-1#balance",
        "account_id": "acc-1",
        "product": "balance",
        "status": status,
        **more,
    }


def test_an_item_says_which_provider_served_it_and_that_its_webhook_woke_it() -> None:
    woken = item("succeeded", pushed_at="2026-01-01T00:00:05+00:00")
    assert _describe(
        "ITEM#acc-1#balance", "MODIFY", item("started"), woken, {"rs_1_1": "mono"}
    ) == (
        "refresh",
        "acc-1/balance: succeeded (mono, woken by its webhook)",
    )


def test_an_item_no_webhook_announced_says_it_was_polled() -> None:
    polled = item("succeeded")
    assert _describe(
        "ITEM#acc-1#balance", "MODIFY", item("started"), polled, {"rs_1_1": "okra"}
    ) == (
        "refresh",
        "acc-1/balance: succeeded (okra, polled)",
    )


def test_a_woken_run_names_the_provider_whose_webhook_woke_it() -> None:
    wake = {"pk": "REFRESH#rs_1_1", "sk": "WAKE", "woken_at": "2026-01-01T00:00:05+00:00"}
    assert _describe("WAKE", "MODIFY", {"pk": "REFRESH#rs_1_1"}, wake, {"rs_1_1": "mono"}) == (
        "workflow",
        "rs_1_1 woken by mono's webhook",
    )
