"""The read API over the real handler: accounts, balances, transactions and the sync feed."""

import base64
import json
from types import ModuleType
from typing import Any

import boto3
import pytest

from banksync.bankdata.store import BankDataStore
from banksync.clock import iso
from banksync.feed.cursor import encode_cursor
from banksync.paging import encode_token
from banksync.provider.model import ProviderAccount
from devstack.sandbox import AccountSpec, Scenario, World
from devstack.template import StackTemplate
from tests.support.lambdas import cold_start, http_event, invoke, json_body
from tests.support.sandbox import provider_account
from tests.support.workflow import RefreshHarness

CUSTOMER = "cust-1"
AS_OF = "2026-11-21T10:00:00.000Z"


@pytest.fixture
def api(stack: StackTemplate, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return cold_start(stack, "ReadApiFunction", monkeypatch)


@pytest.fixture
def bank(aws: boto3.Session, stack: StackTemplate) -> BankDataStore:
    store = BankDataStore(stack.refs["DataTable"], aws.client("dynamodb"))
    for number, bank_id in ((0, "bank-a"), (1, "bank-b")):
        account = ProviderAccount(
            f"acct-{number}", CUSTOMER, bank_id, "Bank", f"012345678{number}", "Savings", "NGN"
        )
        store.register_account(account, AS_OF)
    return store


def row(day: int, **fields: Any) -> dict[str, Any]:
    return {
        "_id": f"t-{day:02d}",
        "trans_date": f"2026-11-{day:02d}T09:00:00Z",
        "cleared_date": f"2026-11-{day:02d}T12:00:00Z",
        "credit": f"{day},000.25",
        "currency": "NGN",
        "notes": {"desc": f"transfer {day}"},
        **fields,
    }


def get(api: ModuleType, path: str, route: str, **query: str) -> tuple[int, Any]:
    response = invoke(api, http_event("GET", path, query=query or None, route=f"GET {route}"))
    return response["statusCode"], json_body(response)


def test_a_customers_accounts_and_one_accounts_view(api: ModuleType, bank: BankDataStore) -> None:
    bank.save_balance(
        "acct-0",
        {"ledger_balance": 1500.5, "available_balance": "1,000.00", "currency": "NGN"},
        AS_OF,
        AS_OF,
    )
    bank.freshness.mark_synced("acct-0", "balance", AS_OF)
    bank.mark_reauth_required("acct-1", "the bank asks for a token", AS_OF, AS_OF)
    status, page = get(api, f"/customers/{CUSTOMER}/accounts", "/customers/{customer}/accounts")
    assert status == 200
    assert [a["account_id"] for a in page["items"]] == ["acct-0", "acct-1"]
    assert [a["reauth_required"] for a in page["items"]] == [False, True]
    status, first = get(
        api, f"/customers/{CUSTOMER}/accounts", "/customers/{customer}/accounts", limit="1"
    )
    assert len(first["items"]) == 1
    status, second = get(
        api,
        f"/customers/{CUSTOMER}/accounts",
        "/customers/{customer}/accounts",
        limit="1",
        next_token=first["next_token"],
    )
    assert [a["account_id"] for a in second["items"]] == ["acct-1"]

    status, view = get(api, "/accounts/acct-0", "/accounts/{account_id}")
    assert status == 200
    assert view["balance"]["ledger"] == 150050
    assert view["balance"]["available"] == 100000
    assert view["balance"]["currency"] == "NGN"
    assert isinstance(view["data_age_seconds"]["balance"], int)
    assert view["data_age_seconds"]["transactions"] is None
    assert view["last_refresh"]["balance"] == {
        "outcome": "succeeded",
        "as_of": AS_OF,
        "by": "banksync",
    }
    assert view["reauth"]["required"] is False
    _, held = get(api, "/accounts/acct-1", "/accounts/{account_id}")
    assert held["reauth"] == {
        "required": True,
        "required_at": AS_OF,
        "reason": "the bank asks for a token",
        "reauthorised_at": None,
    }


def test_balance_history_newest_first(api: ModuleType, bank: BankDataStore) -> None:
    for hour in (9, 10, 11):
        at = f"2026-11-21T{hour:02d}:00:00.000Z"
        bank.save_balance("acct-0", {"ledger_balance": hour, "currency": "NGN"}, at, at)
    status, page = get(
        api, "/accounts/acct-0/balances", "/accounts/{account_id}/balances", limit="2"
    )
    assert status == 200
    assert [b["ledger"] for b in page["items"]] == [1100, 1000]
    _, rest = get(
        api,
        "/accounts/acct-0/balances",
        "/accounts/{account_id}/balances",
        next_token=page["next_token"],
    )
    assert [b["ledger"] for b in rest["items"]] == [900]
    assert "next_token" not in rest


def test_transactions_by_date_and_status_newest_first(api: ModuleType, bank: BankDataStore) -> None:
    bank.save_transactions(
        "acct-0", [row(d) for d in range(1, 8)] + [row(8, cleared_date=None)], AS_OF
    )
    bank.removals.remove("acct-0", ["t-03"], AS_OF, "rec")
    route = "/accounts/{account_id}/transactions"
    status, page = get(api, "/accounts/acct-0/transactions", route)
    assert status == 200
    ids = [t["transaction_id"] for t in page["items"]]
    assert ids == ["t-08", "t-07", "t-06", "t-05", "t-04", "t-02", "t-01"], "removed left out"
    first = page["items"][1]
    assert (first["amount"], first["direction"], first["currency"]) == (700025, "credit", "NGN")
    assert first["raw"]["credit"] == "7,000.25"
    assert first["booked_date"] == "2026-11-07"
    _, window = get(
        api, "/accounts/acct-0/transactions", route, **{"from": "2026-11-02", "to": "2026-11-05"}
    )
    assert [t["transaction_id"] for t in window["items"]] == ["t-04", "t-02"]
    _, pending = get(api, "/accounts/acct-0/transactions", route, status="pending")
    assert [t["transaction_id"] for t in pending["items"]] == ["t-08"]
    seen: list[str] = []
    token: str | None = None
    while True:
        query = {"limit": "3", **({"next_token": token} if token else {})}
        _, part = get(api, "/accounts/acct-0/transactions", route, **query)
        seen += [t["transaction_id"] for t in part["items"]]
        token = part.get("next_token")
        if not token:
            break
    assert seen == ids


def foreign_token() -> str:
    key = {
        "pk": {"S": "ACCOUNT#acct-1"},
        "sk": {"S": "TXN#t-01"},
        "gsi1pk": {"S": "TXNS#acct-1"},
        "gsi1sk": {"S": "2026-11-01#t-01"},
    }
    return encode_token(key)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"next_token": "!!"}, "next_token"),
        ({"next_token": base64.urlsafe_b64encode(b"[1]").decode()}, "next_token"),
        ({"next_token": foreign_token()}, "next_token"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-11-05", "to": "2026-11-01"}, "to"),
        ({"status": "removed"}, "status"),
        ({"page": "2"}, "page"),
    ],
)
def test_bad_list_parameters_are_400_naming_them(
    api: ModuleType, bank: BankDataStore, query: dict[str, str], field: str
) -> None:
    status, body = get(
        api, "/accounts/acct-0/transactions", "/accounts/{account_id}/transactions", **query
    )
    assert status == 400
    assert field in body["error"]["fields"]


def test_an_unknown_account_is_404(api: ModuleType, bank: BankDataStore) -> None:
    for path, route in (
        ("/accounts/nope", "/accounts/{account_id}"),
        ("/accounts/nope/transactions", "/accounts/{account_id}/transactions"),
        ("/accounts/nope/transactions/sync", "/accounts/{account_id}/transactions/sync"),
    ):
        status, body = get(api, path, route)
        assert status == 404
        assert "account_id" in body["error"]["fields"]


def test_keeping_a_copy_in_sync_with_the_cursor(api: ModuleType, bank: BankDataStore) -> None:
    route = "/accounts/{account_id}/transactions/sync"
    bank.save_transactions("acct-0", [row(1), row(2, cleared_date=None), row(3)], AS_OF)
    status, page = get(api, "/accounts/acct-0/transactions/sync", route, count="2")
    assert status == 200
    assert [t["transaction_id"] for t in page["added"]] == ["t-01", "t-02"]
    assert page["has_more"] is True
    _, rest = get(api, "/accounts/acct-0/transactions/sync", route, cursor=page["next_cursor"])
    assert [t["transaction_id"] for t in rest["added"]] == ["t-03"]
    assert rest["has_more"] is False
    bank.save_transactions("acct-0", [row(2)], "2026-11-22T10:00:00.000Z")
    bank.removals.remove("acct-0", ["t-01"], AS_OF, "rec")
    _, later = get(api, "/accounts/acct-0/transactions/sync", route, cursor=rest["next_cursor"])
    assert [(t["transaction_id"], t["status"]) for t in later["modified"]] == [("t-02", "posted")]
    assert [t["transaction_id"] for t in later["removed"]] == ["t-01"]
    assert set(later) == {"added", "modified", "removed", "next_cursor", "has_more"}

    _, customer = get(
        api, f"/customers/{CUSTOMER}/transactions/sync", "/customers/{customer}/transactions/sync"
    )
    assert len(customer["added"]) == 3
    assert len(customer["modified"]) == 1
    assert len(customer["removed"]) == 1


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"cursor": "garbage"}, "invalid_cursor"),
        ({"cursor": ""}, "invalid_cursor"),
        ({"cursor": "A" * 3000}, None),
        ({"count": "0"}, None),
        ({"count": "501"}, None),
    ],
)
def test_bad_cursors_and_counts_are_400_naming_them(
    api: ModuleType, bank: BankDataStore, query: dict[str, str], code: str | None
) -> None:
    status, body = get(
        api,
        "/accounts/acct-0/transactions/sync",
        "/accounts/{account_id}/transactions/sync",
        **query,
    )
    assert status == 400
    field = "cursor" if "cursor" in query else "count"
    assert field in body["error"]["fields"]
    if code:
        assert body["error"]["code"] == code
        assert "without a cursor" in body["error"]["fields"]["cursor"]


def test_a_cursor_from_elsewhere_is_stale_or_foreign_not_a_silent_reset(
    api: ModuleType, bank: BankDataStore
) -> None:
    route = "/accounts/{account_id}/transactions/sync"
    bank.save_transactions("acct-0", [row(1)], AS_OF)
    bank.save_transactions("acct-1", [row(1), row(2)], AS_OF)
    _, other = get(api, "/accounts/acct-1/transactions/sync", route)
    status, body = get(
        api, "/accounts/acct-0/transactions/sync", route, cursor=other["next_cursor"]
    )
    assert (status, body["error"]["code"]) == (400, "invalid_cursor")
    ahead = encode_cursor("account:acct-0", 7)
    status, body = get(api, "/accounts/acct-0/transactions/sync", route, cursor=ahead)
    assert (status, body["error"]["code"]) == (400, "stale_cursor")
    assert "without a cursor" in body["error"]["fields"]["cursor"]
    assert json.dumps(body).count("acct-0") >= 1


def test_an_accounts_last_refresh_shows_one_that_did_not_succeed(
    api: ModuleType, bank: BankDataStore, refresh: RefreshHarness
) -> None:
    spec = AccountSpec("acct-late", CUSTOMER, scenario=Scenario(never_ready=True))
    refresh.use(World(accounts=[spec]))
    stored_before = iso(refresh.now())
    bank.register_account(provider_account(spec), stored_before)
    bank.freshness.mark_synced("acct-late", "balance", stored_before)
    execution = refresh.run(
        {
            "refresh_id": "rf-late",
            "items": [{"account_id": "acct-late", "product": "balance"}],
            "deadline_seconds": 60,
        }
    )
    assert execution.status == "SUCCEEDED"

    status, view = get(api, "/accounts/acct-late", "/accounts/{account_id}")
    assert status == 200
    last = view["last_refresh"]["balance"]
    assert last["outcome"] == "timed_out"
    assert last["reason"] == "not ready before the deadline"
    assert last["at"] > stored_before
    assert view["last_refresh"]["transactions"] is None
    # The data stored before stays readable, and its age keeps counting.
    assert view["data_age_seconds"]["balance"] is not None
