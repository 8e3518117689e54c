"""Every list route of the API, each seeded with two items or more, so that a page of
one item always comes with a ``next_token``."""

from dataclasses import dataclass

from banksync.bankdata.store import BankDataStore
from banksync.delivery.model import Delivery
from banksync.delivery.store import DeliveryStore
from banksync.provider.model import ProviderAccount
from tests.fuzz.harness import FuzzStack

AT = "2026-11-20T10:00:00.000Z"
SUBSCRIBER = "second-subscriber"  # two subscriptions, one bank each


@dataclass(frozen=True)
class ListRoute:
    name: str
    route: str  # the document's path
    path: str  # with the seeded ids
    query: tuple[tuple[str, str], ...] = ()


def list_routes(seeded: dict[str, str]) -> list[ListRoute]:
    sid, account, customer = seeded["subscription_id"], seeded["account_id"], seeded["customer"]
    return [
        ListRoute("refreshes", "/refreshes", "/refreshes"),
        ListRoute("subscriptions", "/subscriptions", "/subscriptions"),
        ListRoute(
            "a customer's subscriptions",
            "/subscriptions",
            "/subscriptions",
            (("customer", SUBSCRIBER),),
        ),
        ListRoute(
            "deliveries",
            "/subscriptions/{subscription_id}/deliveries",
            f"/subscriptions/{sid}/deliveries",
        ),
        ListRoute("accounts", "/customers/{customer}/accounts", f"/customers/{customer}/accounts"),
        ListRoute("balances", "/accounts/{account_id}/balances", f"/accounts/{account}/balances"),
        ListRoute(
            "transactions",
            "/accounts/{account_id}/transactions",
            f"/accounts/{account}/transactions",
        ),
    ]


def seed_lists(stack: FuzzStack) -> None:
    """A second item (or more) in every list the seeded stack holds one of."""
    for bank_id in ("bank-1", "bank-2"):
        body = {"customer": SUBSCRIBER, "products": ["balance"], "bank": bank_id}
        assert stack.post("/subscriptions", body).status == 201
    assert stack.post("/refreshes", {"account_id": stack.seeded["account_id"]}).status == 202
    table, dynamodb = stack.stack.refs["DataTable"], stack.aws.client("dynamodb")
    deliveries = DeliveryStore(table, dynamodb)
    for n in range(2):
        deliveries.create(
            Delivery(
                stack.seeded["subscription_id"],
                f"msg_seed{n}",
                "refresh.completed",
                '{"data": {"refresh_id": "rf_seed"}}',
                "https://hooks.example.com/okra",
                f"2026-11-2{n}T10:00:00.000Z",
            )
        )
    bank = BankDataStore(table, dynamodb)
    customer, account = stack.seeded["customer"], stack.seeded["account_id"]
    bank.register_account(
        ProviderAccount("seed-account-2", customer, "bank-2", "Bank 2", "0123456780", "Cur", "NGN"),
        AT,
    )
    later = "2026-11-21T10:00:00.000Z"
    bank.save_balance(account, {"ledger_balance": "2,000.00", "currency": "NGN"}, later, AT)
