"""Mono's client against Mono's documented answers, served by httpx.MockTransport."""

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from banksync.mono.client import MonoClient
from banksync.provider.errors import (
    ProviderError,
)
from banksync.provider.model import Failed, NotReady, Ready, ReauthRequired, Started
from tests.support.mono import fixture

BASE = "https://api.withmono.com"
KEY = "test_sk_secret123"
ACCOUNT = "66f3caafc2d35bca"
JOB = "681b431edb122e972b21fd4c"
NOW = datetime(2026, 1, 27, 12, 0, tzinfo=UTC)
Answer = Callable[[httpx.Request], httpx.Response]


class FakeMono:
    """Answers by path; keeps every request."""

    def __init__(self, **routes: Answer) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for suffix, answer in self.routes.items():
            if request.url.path.endswith(suffix.replace("__", "/")):
                return answer(request)
        return httpx.Response(404, json=fixture("error_400.json") | {"message": "not found"})

    def client(self, **options: Any) -> MonoClient:
        return MonoClient(
            BASE, lambda: KEY, transport=httpx.MockTransport(self), clock=lambda: NOW, **options
        )


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return lambda request: httpx.Response(status, json=body, headers=headers or {})


def realtime(headers: str) -> Answer:
    return answer(
        fixture("balance.json"), headers=fixture("realtime_response_headers.json")[headers]
    )


def test_a_real_time_call_starts_a_job_and_carries_the_product() -> None:
    mono = FakeMono(balance=realtime("processing"))
    started = mono.client().start_refresh(ACCOUNT, "balance")
    assert started == Started(
        f"{BASE}/v2/accounts/{ACCOUNT}/jobs/{JOB}?product=balance",
        JOB,
        {"job_status": "processing", "has_new_data": None},
    )
    (request,) = mono.requests
    assert request.headers["x-realtime"] == "true"
    assert request.headers["mono-sec-key"] == KEY
    assert request.extensions["timeout"]["read"] >= 30


@pytest.mark.parametrize("headers", ["finished_with_new_data", "finished_nothing_new"])
def test_a_job_already_finished_is_started_all_the_same(headers: str) -> None:
    started = (
        FakeMono(transactions=realtime(headers)).client().start_refresh(ACCOUNT, "transactions")
    )
    assert isinstance(started, Started)
    assert started.record_id == JOB
    assert started.callback_url.endswith("?product=transactions")


def test_a_failed_job_fails_and_a_reauthorisation_signal_asks_for_it() -> None:
    failed = FakeMono(balance=realtime("reauthorisation_required")).client()
    assert isinstance(failed.start_refresh(ACCOUNT, "balance"), Failed)
    headers = {"x-job-id": JOB, "x-job-status": "failed", "x-reauth-required": "true"}
    reauth = FakeMono(balance=answer(fixture("balance.json"), headers=headers)).client()
    assert isinstance(reauth.start_refresh(ACCOUNT, "balance"), ReauthRequired)
    legacy = FakeMono(balance=answer(fixture("legacy_sync_reauth_required.json"), 400)).client()
    assert isinstance(legacy.start_refresh(ACCOUNT, "balance"), ReauthRequired)
    status = {"x-job-id": JOB, "x-job-status": "REAUTHORISATION_REQUIRED"}
    worded = FakeMono(balance=answer(fixture("balance.json"), headers=status)).client()
    assert isinstance(worded.start_refresh(ACCOUNT, "balance"), ReauthRequired)


def test_an_enqueued_answer_is_started_and_not_ready() -> None:
    mono = FakeMono(transactions=answer(fixture("realtime_enqueued.json")))
    client = mono.client()
    started = client.start_refresh(ACCOUNT, "transactions")
    assert isinstance(started, Started)
    assert started.record_id is None
    assert started.callback_url == f"{BASE}/v2/accounts/{ACCOUNT}/transactions"
    assert isinstance(client.fetch_callback(started.callback_url), NotReady)


def job(status: str) -> Answer:
    body = fixture("job_status.json")
    body["data"]["status"] = status
    return answer(body)


def test_a_job_is_not_ready_while_processing_then_its_data_is_fetched_without_real_time() -> None:
    mono = FakeMono(**{JOB: job("processing"), "balance": answer(fixture("balance.json"))})
    client = mono.client()
    url = f"{BASE}/v2/accounts/{ACCOUNT}/jobs/{JOB}?product=balance"
    assert isinstance(client.fetch_callback(url), NotReady)
    mono.routes[JOB] = job("finished")
    ready = client.fetch_callback(url)
    assert ready == Ready({"account_id": ACCOUNT, "balance": fixture("balance.json")["data"]})
    lookup, data = mono.requests[-2:]
    assert lookup.url == httpx.URL(f"{BASE}/v2/accounts/{ACCOUNT}/jobs/{JOB}")
    assert data.headers["x-realtime"] == "false"


def test_a_failed_job_names_itself() -> None:
    client = FakeMono(**{JOB: job("failed")}).client()
    outcome = client.fetch_callback(f"{BASE}/v2/accounts/{ACCOUNT}/jobs/{JOB}?product=balance")
    assert isinstance(outcome, Failed)
    assert JOB in outcome.reason


def page(number: int, of: int, rows: int = 2) -> dict[str, Any]:
    body: dict[str, Any] = fixture("transactions_page.json")
    body["data"] = [copy.deepcopy(body["data"][0]) | {"id": f"p{number}-r{i}"} for i in range(rows)]
    # Mono's own next link is malformed: the client must not follow it.
    body["meta"] |= {
        "page": number,
        "next": f"{BASE}/v2/x?page={number + 1}" if number < of else None,
    }
    return body


def pages(of: int) -> Answer:
    return lambda request: httpx.Response(200, json=page(int(request.url.params["page"]), of))


def test_transactions_are_every_page_asked_for_on_the_known_path() -> None:
    mono = FakeMono(transactions=pages(3))
    ready = mono.client(page_limit=2).fetch_callback(f"{BASE}/v2/accounts/{ACCOUNT}/transactions")
    assert isinstance(ready, Ready)
    assert [r["id"] for r in ready.data["transactions"]] == [
        f"p{p}-r{i}" for p in (1, 2, 3) for i in (0, 1)
    ]
    assert (ready.data["account_id"], ready.data["pages"], ready.data["complete"]) == (
        ACCOUNT,
        3,
        True,
    )
    assert ready.data["total"] == 307
    assert [str(r.url) for r in mono.requests] == [
        f"{BASE}/v2/accounts/{ACCOUNT}/transactions?page={n}&limit=2" for n in (1, 2, 3)
    ]


def test_pages_are_bounded() -> None:
    mono = FakeMono(transactions=pages(50))
    ready = mono.client(max_pages=4).fetch_callback(f"{BASE}/v2/accounts/{ACCOUNT}/transactions")
    assert isinstance(ready, Ready)
    assert ready.data["complete"] is False
    assert len(mono.requests) == 4


def test_a_row_with_an_unreadable_amount_fails_the_fetch_naming_it() -> None:
    body = fixture("transactions_page.json")
    body["data"][1]["amount"] = "10.50"
    body["meta"]["next"] = None
    client = FakeMono(transactions=answer(body)).client()
    outcome = client.fetch_callback(f"{BASE}/v2/accounts/{ACCOUNT}/transactions")
    assert isinstance(outcome, Failed)
    assert "66141bbff58d2687e7d91235" in outcome.reason
    assert "amount" in outcome.reason


def test_urls_off_monos_api_or_without_an_account_fail() -> None:
    client = FakeMono().client()
    for url in (
        "https://evil.example/v2/accounts/a/balance",
        f"{BASE}/v2/accounts/a/identity",
        f"{BASE}/v2/accounts/a/jobs/j",  # no product
        client.callback_url_for(JOB, "balance"),
    ):
        assert isinstance(client.fetch_callback(url), Failed), url


def test_a_made_up_record_is_the_accounts_data() -> None:
    client = FakeMono().client()
    url = client.callback_url_for(f"{ACCOUNT}:mono:event", "transactions")
    assert url == f"{BASE}/v2/accounts/{ACCOUNT}/transactions"


def test_a_customers_accounts_are_filtered_from_every_page_of_the_list() -> None:
    def listing(request: httpx.Request) -> httpx.Response:
        body = fixture("accounts_list.json")
        number = int(request.url.params["page"])
        row = body["data"][0]
        other = copy.deepcopy(row) | {"id": f"other-{number}", "customer": {"id": "someone"}}
        body["data"] = [copy.deepcopy(row) | {"id": f"acct-{number}"}, other]
        body["meta"]["next"] = None if number == 2 else "x"
        return httpx.Response(200, json=body)

    client = FakeMono(accounts=listing).client()
    found = client.accounts_by_customer("660e9be2c83b157a5f161234")
    assert [a.account_id for a in found] == ["acct-1", "acct-2"]
    first = found[0]
    assert (first.bank_id, first.bank_name, first.nuban, first.currency) == (
        "090267",
        "Kuda Bank",
        "2002451234",
        "NGN",
    )
    assert client.accounts_by_customer("660e9be2c83b157a5f161234", "kuda bank") == found
    assert client.accounts_by_customer("660e9be2c83b157a5f161234", "058") == []


@pytest.mark.parametrize(
    "body",
    [
        fixture("exchange_token.json"),
        {"status": "successful", "data": {"id": "5f171a530295e231abca1153"}},
    ],
)
def test_the_code_exchange_reads_both_answer_shapes(body: dict[str, Any]) -> None:
    mono = FakeMono(auth=answer(body))
    assert mono.client().exchange_code("code-1") == "5f171a530295e231abca1153"
    (request,) = mono.requests
    assert (request.method, request.content) == ("POST", b'{"code":"code-1"}')


def test_an_exchange_without_an_id_is_an_error() -> None:
    with pytest.raises(ProviderError):
        FakeMono(auth=answer({"status": "successful", "data": None})).client().exchange_code("c")


def test_account_details_and_the_reauthorisation_link() -> None:
    details = FakeMono(**{"6972325w62ta67u33f88840a": answer(fixture("account_details.json"))})
    account = details.client().account("6972325w62ta67u33f88840a")
    assert (account.customer_id, account.bank_id, account.nuban) == (
        "682dd53a74682beb490a0ed4",
        "058",
        "1234567890",
    )
    mono = FakeMono(initiate=answer(fixture("initiate_reauth.json")))
    link = mono.client().reauthorisation_link("663127dedfbd0", "https://biz.example/back", "ref-1")
    assert link == "https://link.mono.co/ALTAYGCOV"
    assert b'"scope":"reauth"' in mono.requests[0].content
