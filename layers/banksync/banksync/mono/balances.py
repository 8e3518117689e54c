"""A Mono balance as banksync's balance.

Mono gives one ``balance`` figure and does not say whether it is the ledger or
the available balance. banksync fills ``ledger`` with it and leaves
``available`` empty: a consumer deciding what a customer can spend must not be
handed a figure that may include uncleared or held funds as if it were
spendable, while the transaction rows' running ``balance`` (the same kind of
figure) is a booked, ledger-like one.
"""

from typing import Any

from banksync.mono.values import currency, minor_units
from banksync.provider.records import SCHEMA_VERSION


def normalise_balance(
    balance: dict[str, Any], account_id: str, as_of: str, account_currency: str | None = None
) -> dict[str, Any]:
    """MonoValueError when ``balance`` is present but not a whole number of minor units."""
    figure = balance.get("balance")
    return {
        "account_id": account_id,
        "ledger": None if figure is None else minor_units(figure, "balance", signed=True),
        "available": None,
        "currency": currency(balance.get("currency")) or currency(account_currency),
        "as_of": as_of,
        "schema_version": SCHEMA_VERSION,
    }


def balance_summary(balance: dict[str, Any]) -> dict[str, Any]:
    """What a refresh item or pushed update records of the balance it stored, in the
    shape banksync's answers give every provider's."""
    return {
        "ledger_balance": balance.get("balance"),
        "available_balance": None,
        "currency": currency(balance.get("currency")),
    }
