"""Every list route keeps the order its OpenAPI description states: three items created
one after another, read a page at a time through the page tokens (or the feed's cursor),
come back in that order."""

from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import boto3
import pytest

from banksync.api import openapi
from banksync.bankdata.store import BankDataStore
from banksync.clock import iso
from banksync.delivery.model import Delivery
from banksync.delivery.store import DeliveryStore
from banksync.provider.model import ProviderAccount
from devstack.sandbox import demo_world
from devstack.template import StackTemplate
from tests.support.lambdas import cold_start, http_event, invoke, json_body
from tests.support.sync import SyncHarness
from tests.unit.test_openapi import list_operations

CUSTOMER = "cust-order"
AS_OF = "2026-11-21T10:00:00.000Z"


def listed(
    api: ModuleType,
    path: str,
    route: str,
    name: str,
    limit: int = 1,
    **query: str,
) -> list[str]:
    """Every item's ``name``, page after page of ``limit`` through ``next_token``."""
    seen: list[str] = []
    token: str | None = None
    for _ in range(10):
        asked = {**query, "limit": str(limit), **({"next_token": token} if token else {})}
        response = invoke(api, http_event("GET", path, query=asked, route=f"GET {route}"))
        assert response["statusCode"] == 200, response
        page = json_body(response)
        seen += [str(item[name]) for item in page["items"]]
        token = page.get("next_token")
        if not token:
            return seen
    raise AssertionError(f"{path} did not end")


class Ticking:
    """A clock a second further on at each reading: each write its own moment."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 10, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


# The operator API: subscriptions, refreshes, deliveries.


def test_subscriptions_newest_first(sync: SyncHarness) -> None:
    sync.api.subscription_service.clock = Ticking()
    made = [
        sync.subscribe({"customer": f"{CUSTOMER}-{n}", "products": ["balance"]})["subscription_id"]
        for n in range(3)
    ]
    for limit in (1, 2):
        seen = listed(sync.api, "/subscriptions", "/subscriptions", "subscription_id", limit)
        assert seen == made[::-1]


def test_a_customers_subscriptions_by_bank(sync: SyncHarness) -> None:
    sync.api.subscription_service.clock = Ticking()
    for bank in ("bank-b", "bank-c", "bank-a"):  # created out of bank order
        sync.subscribe({"customer": CUSTOMER, "bank": bank, "products": ["balance"]})
    seen = listed(sync.api, "/subscriptions", "/subscriptions", "bank", customer=CUSTOMER)
    assert seen == ["bank-a", "bank-b", "bank-c"]


def test_refreshes_newest_first(sync: SyncHarness) -> None:
    sync.refresh.use(demo_world(ready_after=45))
    sync.api.refresh_routes.refreshes.clock = Ticking()
    account = demo_world().accounts[0].account_id
    made = []
    for _ in range(3):
        body = {"account_id": account}
        answer = invoke(sync.api, http_event("POST", "/refreshes", body))
        assert answer["statusCode"] == 202, answer
        made.append(json_body(answer)["refresh_id"])
    for refresh_id in made:
        sync.refresh.finish(refresh_id)
    for limit in (1, 2):
        assert listed(sync.api, "/refreshes", "/refreshes", "refresh_id", limit) == made[::-1]


def test_a_subscriptions_deliveries_newest_first(sync: SyncHarness) -> None:
    sid = sync.subscribe({"customer": CUSTOMER, "products": ["balance"]})["subscription_id"]
    store = DeliveryStore(sync.stack.refs["DataTable"], sync.aws.client("dynamodb"))
    clock, made = Ticking(), []
    for n in range(3):
        delivery_id = f"msg_{n:026d}"
        url = "https://hooks.example.com/okra"
        store.create(Delivery(sid, delivery_id, "balance.succeeded", "{}", url, iso(clock())))
        made.append(delivery_id)
    path = f"/subscriptions/{sid}/deliveries"
    route = "/subscriptions/{subscription_id}/deliveries"
    for limit in (1, 2):
        assert listed(sync.api, path, route, "delivery_id", limit) == made[::-1]


# The read API: accounts, balances, transactions and the change feeds.


@pytest.fixture
def read_api(stack: StackTemplate, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return cold_start(stack, "ReadApiFunction", monkeypatch)


@pytest.fixture
def bank(aws: boto3.Session, stack: StackTemplate) -> BankDataStore:
    return BankDataStore(stack.refs["DataTable"], aws.client("dynamodb"), Ticking())


def register(bank: BankDataStore, account_id: str, bank_id: str) -> None:
    account = ProviderAccount(account_id, CUSTOMER, bank_id, "Bank", "0123456789", "Savings", "NGN")
    bank.register_account(account, AS_OF)


def row(day: int) -> dict[str, Any]:
    return {
        "_id": f"t-{day:02d}",
        "trans_date": f"2026-11-{day:02d}T09:00:00Z",
        "cleared_date": f"2026-11-{day:02d}T12:00:00Z",
        "credit": day,
        "currency": "NGN",
    }


def test_a_customers_accounts_by_bank_then_id(read_api: ModuleType, bank: BankDataStore) -> None:
    for account_id, bank_id in (("acct-2", "bank-b"), ("acct-3", "bank-a"), ("acct-1", "bank-b")):
        register(bank, account_id, bank_id)
    path, route = f"/customers/{CUSTOMER}/accounts", "/customers/{customer}/accounts"
    for limit in (1, 2):
        assert listed(read_api, path, route, "account_id", limit) == ["acct-3", "acct-1", "acct-2"]


def test_an_accounts_balances_newest_first(read_api: ModuleType, bank: BankDataStore) -> None:
    register(bank, "acct-1", "bank-a")
    for hour in (9, 10, 11):
        at = f"2026-11-21T{hour:02d}:00:00.000Z"
        bank.save_balance("acct-1", {"ledger_balance": hour, "currency": "NGN"}, at, at)
    path, route = "/accounts/acct-1/balances", "/accounts/{account_id}/balances"
    for limit in (1, 2):
        assert listed(read_api, path, route, "ledger", limit) == ["1100", "1000", "900"]


def test_an_accounts_transactions_newest_booked_first(
    read_api: ModuleType, bank: BankDataStore
) -> None:
    register(bank, "acct-1", "bank-a")
    for day in (1, 2, 3):
        bank.save_transactions("acct-1", [row(day)], AS_OF)
    path, route = "/accounts/acct-1/transactions", "/accounts/{account_id}/transactions"
    for limit in (1, 2):
        assert listed(read_api, path, route, "transaction_id", limit) == ["t-03", "t-02", "t-01"]


def synced(api: ModuleType, path: str, route: str) -> list[str]:
    """Every change's transaction id, a change at a time through the cursor."""
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        query = {"count": "1", **({"cursor": cursor} if cursor else {})}
        response = invoke(api, http_event("GET", path, query=query, route=f"GET {route}"))
        assert response["statusCode"] == 200, response
        page = json_body(response)
        seen += [
            t["transaction_id"] for kind in ("added", "modified", "removed") for t in page[kind]
        ]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return seen
    raise AssertionError(f"{path} did not end")


def test_the_change_feeds_oldest_change_first(read_api: ModuleType, bank: BankDataStore) -> None:
    register(bank, "acct-1", "bank-a")
    register(bank, "acct-2", "bank-b")
    for account_id, day in (("acct-2", 1), ("acct-1", 2), ("acct-2", 3)):
        bank.save_transactions(account_id, [row(day)], AS_OF)
    one = synced(
        read_api, "/accounts/acct-2/transactions/sync", "/accounts/{account_id}/transactions/sync"
    )
    assert one == ["t-01", "t-03"]
    every = synced(
        read_api,
        f"/customers/{CUSTOMER}/transactions/sync",
        "/customers/{customer}/transactions/sync",
    )
    assert every == ["t-01", "t-02", "t-03"]


# Every list route of the document has its order tested here.
TESTED = {
    "GET /subscriptions": test_subscriptions_newest_first,
    "GET /refreshes": test_refreshes_newest_first,
    "GET /subscriptions/{subscription_id}/deliveries": test_a_subscriptions_deliveries_newest_first,
    "GET /customers/{customer}/accounts": test_a_customers_accounts_by_bank_then_id,
    "GET /accounts/{account_id}/balances": test_an_accounts_balances_newest_first,
    "GET /accounts/{account_id}/transactions": test_an_accounts_transactions_newest_booked_first,
    "GET /accounts/{account_id}/transactions/sync": test_the_change_feeds_oldest_change_first,
    "GET /customers/{customer}/transactions/sync": test_the_change_feeds_oldest_change_first,
}


def test_every_list_route_has_its_order_tested() -> None:
    assert set(TESTED) == list_operations(openapi.document())
