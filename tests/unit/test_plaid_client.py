"""The Plaid adapter through the real plaid-python client, against an in-process fake of
the few endpoints it calls (plaid-python's urllib3 pool swapped for the fake)."""

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import urllib3

from banksync.plaid.client import PlaidClient, plaid_api
from banksync.plaid.items import ItemAccess
from banksync.provider.errors import (
    BadRequestError,
    BudgetExhaustedError,
    ProviderUnavailableError,
    RateLimitedError,
    UnauthorisedError,
)
from banksync.provider.model import Failed, NotReady, Ready, ReauthRequired, Started

HOST = "https://sandbox.plaid.com"
TOKEN = "access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plaid"
Answer = tuple[int, dict[str, Any]]


def error(status: int, error_type: str, code: str) -> Answer:
    return status, {
        "error_type": error_type,
        "error_code": code,
        "error_message": f"the token {TOKEN} echoed",
        "display_message": None,
        "request_id": "req1",
    }


class FakePlaid:
    """Answers each path from a queue (or always the same answer) and records requests."""

    def __init__(self, **answers: list[Answer] | Answer) -> None:
        self.answers = answers
        self.sent: list[tuple[str, dict[str, Any], dict[str, str]]] = []

    def request(self, method: str, url: str, **kw: Any) -> urllib3.HTTPResponse:
        path = url.removeprefix(HOST)
        body = json.loads(kw.get("body") or "{}")
        self.sent.append((path, body, dict(kw.get("headers") or {})))
        key = path.strip("/").replace("/", "_")
        queued = self.answers[key]
        status, answer = queued.pop(0) if isinstance(queued, list) else queued
        return urllib3.HTTPResponse(
            body=json.dumps(answer).encode(),
            status=status,
            headers={"Content-Type": "application/json"},
            preload_content=True,
        )


class Items:
    def __init__(self, cursor: str = "") -> None:
        self.cursor = cursor

    def by_account(self, account_id: str) -> ItemAccess:
        return ItemAccess("item1", TOKEN, self.cursor)

    def by_item(self, item_id: str) -> ItemAccess:
        return ItemAccess(item_id, TOKEN, self.cursor)

    def of_customer(self, customer: str) -> list[ItemAccess]:
        return [ItemAccess("item1", TOKEN)]


def client(fake: FakePlaid, cursor: str = "") -> PlaidClient:
    api = plaid_api(HOST, lambda: "client-id", lambda: "secret-key")
    api.api_client.rest_client.pool_manager = fake
    return PlaidClient(api, Items(cursor), page_size=2)


def page(
    added: Sequence[str] = (), removed: Sequence[str] = (), cursor: str = "c1", more: bool = False
) -> Answer:
    row = json.loads((FIXTURES / "transactions_sync_page.json").read_text())["added"][0]
    return 200, {
        "added": [{**row, "transaction_id": t} for t in added],
        "modified": [],
        "removed": [{"transaction_id": t, "account_id": row["account_id"]} for t in removed],
        "next_cursor": cursor,
        "has_more": more,
        "request_id": "r",
    }


def sync_url(item: str = "item1") -> str:
    return f"{HOST}/transactions/sync?item_id={item}"


def test_sync_pulls_every_page_from_the_stored_cursor_and_hands_out_the_next_one() -> None:
    fake = FakePlaid(
        transactions_sync=[page(["t1", "t2"], cursor="c1", more=True), page(["t3"], ["p1"], "c2")]
    )
    outcome = client(fake, cursor="c0").fetch_callback(sync_url())
    assert isinstance(outcome, Ready)
    data = outcome.data
    assert [r["transaction_id"] for r in data["added"]] == ["t1", "t2", "t3"]
    assert (data["removed"], data["cursor"], data["next_cursor"]) == (["p1"], "c0", "c2")
    assert [(s[1].get("cursor"), s[1]["count"]) for s in fake.sent] == [("c0", 2), ("c1", 2)]
    # The keys in Plaid's headers, the token in the body: neither anywhere in the outcome.
    assert fake.sent[0][2]["PLAID-CLIENT-ID"] == "client-id"
    assert fake.sent[0][1]["access_token"] == TOKEN
    assert TOKEN not in json.dumps(data)


def test_the_first_sync_sends_no_cursor() -> None:
    fake = FakePlaid(transactions_sync=[page(["t1"])])
    client(fake).fetch_callback(sync_url())
    assert "cursor" not in fake.sent[0][1]


def test_a_mutation_during_pagination_restarts_the_batch_from_its_first_cursor() -> None:
    mutation = error(400, "TRANSACTIONS_ERROR", "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION")
    fake = FakePlaid(
        transactions_sync=[
            page(["t1"], cursor="c1", more=True),
            mutation,
            page(["t1"], cursor="c1", more=True),
            page(["t2"], cursor="c2"),
        ]
    )
    outcome = client(fake, cursor="c0").fetch_callback(sync_url())
    assert isinstance(outcome, Ready)
    assert [r["transaction_id"] for r in outcome.data["added"]] == ["t1", "t2"]
    assert [s[1].get("cursor") for s in fake.sent] == ["c0", "c1", "c0", "c1"]


def test_an_item_with_no_transactions_yet_is_not_ready() -> None:
    outcome = client(FakePlaid(transactions_sync=page(cursor=""))).fetch_callback(sync_url())
    assert isinstance(outcome, NotReady)


@pytest.mark.parametrize("code", ["ITEM_LOGIN_REQUIRED", "PENDING_DISCONNECT"])
def test_a_login_required_item_asks_for_reauthorisation(code: str) -> None:
    fake = FakePlaid(transactions_sync=error(400, "ITEM_ERROR", code))
    outcome = client(fake).fetch_callback(sync_url())
    assert isinstance(outcome, ReauthRequired)
    assert code in outcome.reason


@pytest.mark.parametrize(
    ("answer", "raised"),
    [
        (error(429, "RATE_LIMIT_EXCEEDED", "TRANSACTIONS_SYNC_LIMIT"), RateLimitedError),
        (error(400, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT"), RateLimitedError),
        (error(500, "API_ERROR", "INTERNAL_SERVER_ERROR"), ProviderUnavailableError),
        (error(400, "INSTITUTION_ERROR", "INSTITUTION_DOWN"), ProviderUnavailableError),
        (error(400, "INVALID_INPUT", "INVALID_API_KEYS"), UnauthorisedError),
        (error(400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN"), BadRequestError),
    ],
)
def test_plaids_refusals_are_banksyncs_errors_without_the_token(
    answer: Answer, raised: type[Exception]
) -> None:
    with pytest.raises(raised) as caught:
        client(FakePlaid(transactions_sync=answer)).fetch_callback(sync_url())
    assert TOKEN not in str(caught.value)
    assert "echoed" not in str(caught.value)
    assert caught.value.__cause__ is None
    assert "req1" in str(caught.value)


def test_no_answer_is_unavailable() -> None:
    class Down(FakePlaid):
        def request(self, method: str, url: str, **kw: Any) -> urllib3.HTTPResponse:
            raise urllib3.exceptions.ReadTimeoutError(None, url, "read timed out")  # type: ignore[arg-type]

    with pytest.raises(ProviderUnavailableError, match="ReadTimeoutError"):
        client(Down()).fetch_callback(sync_url())


def test_the_budget_admits_every_call_before_it_is_sent() -> None:
    fake = FakePlaid(transactions_sync=[page(["t1"])])
    adapter = client(fake)
    adapter.admit_with(lambda: 2.5)
    with pytest.raises(BudgetExhaustedError):
        adapter.fetch_callback(sync_url())
    assert fake.sent == []


def test_a_balance_is_read_live_for_the_one_account() -> None:
    answer = json.loads((FIXTURES / "accounts_balance_get.json").read_text())
    fake = FakePlaid(accounts_balance_get=(200, answer))
    adapter = client(fake)
    account = answer["accounts"][0]["account_id"]
    started = adapter.start_refresh(account, "balance")
    assert isinstance(started, Started)
    assert fake.sent == []
    outcome = adapter.fetch_callback(started.callback_url)
    assert outcome == Ready({"account_id": account, "balance": answer["accounts"][0]})
    assert fake.sent[0][1]["options"] == {"account_ids": [account]}


def test_an_on_demand_refresh_asks_plaid_then_syncs_the_item() -> None:
    fake = FakePlaid(transactions_refresh=(200, {"request_id": "r"}))
    started = client(fake).start_refresh("acc", "transactions")
    assert started == Started(sync_url("item1"), "item1")
    assert fake.sent[0][0] == "/transactions/refresh"


def test_an_on_demand_refresh_without_plaids_add_on_fails_clearly() -> None:
    fake = FakePlaid(transactions_refresh=error(400, "INVALID_PRODUCT", "PRODUCT_NOT_ENABLED"))
    started = client(fake).start_refresh("acc", "transactions")
    assert isinstance(started, Failed)
    assert "Transactions Refresh product" in started.reason


def test_a_public_token_becomes_an_item_whose_token_is_not_in_its_repr() -> None:
    fake = FakePlaid(
        item_public_token_exchange=(
            200,
            {"access_token": TOKEN, "item_id": "it", "request_id": "r"},
        )
    )
    linked = client(fake).exchange_public_token("public-sandbox-1")
    assert (linked.item_id, linked.access_token) == ("it", TOKEN)
    assert TOKEN not in repr(linked)
    assert TOKEN not in repr(ItemAccess("it", TOKEN))


def test_the_webhook_key_is_plaids_jwk_and_an_unknown_kid_is_none() -> None:
    key = {"alg": "ES256", "kid": "k1", "kty": "EC", "crv": "P-256", "x": "a", "y": "b"}
    fake = FakePlaid(
        webhook_verification_key_get=[
            (200, {"key": key, "request_id": "r"}),
            error(400, "INVALID_INPUT", "INVALID_WEBHOOK_VERIFICATION_KEY_ID"),
        ]
    )
    adapter = client(fake)
    assert adapter.webhook_key("k1") == key
    assert adapter.webhook_key("nope") is None
    assert fake.sent[0][1]["key_id"] == "k1"


def test_a_callback_url_off_plaids_api_is_refused() -> None:
    fake = FakePlaid()
    outcome = client(fake).fetch_callback("https://elsewhere.example/transactions/sync?item_id=i")
    assert isinstance(outcome, Failed)
    assert fake.sent == []


def test_a_customers_accounts_are_their_items_accounts() -> None:
    answer = json.loads((FIXTURES / "accounts_balance_get.json").read_text())
    accounts = client(FakePlaid(accounts_get=(200, answer))).accounts_by_customer("cus1")
    assert [(a.account_id, a.customer_id, a.bank_id, a.nuban) for a in accounts] == [
        (answer["accounts"][0]["account_id"], "cus1", "ins_109508", "0000"),
        (answer["accounts"][1]["account_id"], "cus1", "ins_109508", "3333"),
    ]


_: Callable[..., Any] = client
