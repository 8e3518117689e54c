"""Requests for the read API's routes: valid ones, and ones with exactly one defect."""

from typing import Any

from hypothesis import strategies as st

from banksync.bankdata.store import BankDataStore
from banksync.feed.cursor import encode_cursor, encode_positions
from banksync.paging import encode_token
from banksync.provider.model import ProviderAccount
from tests.fuzz.cases import (
    READ_ROUTES,
    UNKNOWN,
    Case,
    bad_limits,
    bad_times,
    good_times,
    path_junk,
    short_ids,
)

SEED_ACCOUNT, SEED_CUSTOMER = "seed-account", "seed-customer"
bad_counts = st.sampled_from(["0", "501", "-1", "", "1.5", "²", "1e2", " 5", "9" * 40])
bad_cursors = st.one_of(
    st.sampled_from(["", "garbage", "a b", "%%", "x" * 3000]),
    st.text(max_size=60),
    st.builds(lambda n: encode_cursor("account:someone-else", n), st.integers(0, 10)),
    st.builds(lambda n: encode_cursor("account:seed-account", n), st.integers(10_000, 10**9)),
    st.builds(lambda n: encode_positions("customer:nobody", {"a": n}), st.integers(1, 9)),
)
bad_tokens = st.one_of(
    st.sampled_from(["!!", "e30", "W10", "not a token"]),
    st.builds(
        lambda account: encode_token(
            {
                "pk": {"S": f"ACCOUNT#{account}"},
                "sk": {"S": "TXN#1"},
                "gsi1pk": {"S": f"TXNS#{account}"},
                "gsi1sk": {"S": "2026#1"},
            }
        ),
        short_ids,
    ),
)


@st.composite
def read_cases(draw: st.DrawFn, seeded: dict[str, str]) -> Case:
    key = draw(st.sampled_from(READ_ROUTES))
    method, route = key.split(" ", 1)
    values: dict[str, str] = {}
    first: str | None = None
    choice = "seeded"
    for name in ("account_id", "customer"):
        if "{" + name + "}" in route:
            choice = draw(st.sampled_from(["seeded", "seeded", "unknown", "junk"]))
            if choice == "junk":
                values[name], first = draw(path_junk), name
            else:
                values[name] = seeded[name] if choice == "seeded" else "x" + draw(short_ids)
    pairs: dict[str, str] = {}
    sync = route.endswith("/sync")
    listing = route.endswith(("/accounts", "/balances", "/transactions"))
    if sync and draw(st.booleans()):
        pairs["count"] = str(draw(st.integers(1, 500)))
    if listing and draw(st.booleans()):
        pairs["limit"] = str(draw(st.integers(1, 100)))
    if route.endswith("/transactions") and draw(st.booleans()):
        pairs["from"] = draw(good_times)
    if route.endswith("/transactions") and draw(st.booleans()):
        pairs["status"] = draw(st.sampled_from(["pending", "posted"]))
    defect = draw(st.none() | st.sampled_from(["one", "unknown"]))
    if first is None and defect == "unknown":
        pairs["colour"], first = "blue", "colour"
    elif first is None and defect == "one":
        if sync:
            first = draw(st.sampled_from(["count", "cursor"]))
            pairs[first] = draw(bad_counts if first == "count" else bad_cursors)
        elif listing:
            choices = ["limit", "next_token"] + (
                ["from", "status"] if "transactions" in route else []
            )
            first = draw(st.sampled_from(choices))
            pairs[first] = draw(
                {
                    "limit": bad_limits,
                    "next_token": bad_tokens,
                    "from": bad_times,
                    "status": st.sampled_from(["removed", "Posted", ""]),
                }[first]
            )
        else:
            pairs["limit"], first = "5", "limit"  # the account view takes no parameters
    if choice == "unknown" and first in ("next_token", "cursor"):
        # Whether the token is this account's, or the cursor its feed's, is only
        # known of an account that exists: an unknown one may answer 404 first.
        first = UNKNOWN
    return Case(method, route, values, tuple(pairs.items()), {}, None, first, draw(st.booleans()))


def seed_bank_data(aws: Any, stack: Any) -> dict[str, str]:
    """An account with a balance and transactions (one removed), for paths that name it."""
    bank = BankDataStore(stack.refs["DataTable"], aws.client("dynamodb"))
    account = ProviderAccount(
        SEED_ACCOUNT, SEED_CUSTOMER, "bank-1", "Bank", "0123456789", "Savings", "NGN"
    )
    bank.register_account(account, "2026-11-20T10:00:00.000Z")
    bank.save_balance(
        SEED_ACCOUNT,
        {"ledger_balance": "1,000.50", "currency": "NGN"},
        "2026-11-20T10:00:00.000Z",
        "2026-11-20T10:00:00.000Z",
    )
    rows = [
        {
            "_id": f"t-{n}",
            "trans_date": f"2026-11-{n + 1:02d}T09:00:00Z",
            "debit": 10.5 * n,
            "cleared_date": None if n == 3 else "2026-11-20T00:00:00Z",
            "currency": "NGN",
        }
        for n in range(4)
    ]
    bank.save_transactions(SEED_ACCOUNT, rows, "2026-11-20T10:00:00.000Z")
    bank.removals.remove(SEED_ACCOUNT, ["t-0"], "2026-11-20T11:00:00.000Z", "rec-1")
    return {"account_id": SEED_ACCOUNT, "customer": SEED_CUSTOMER}
