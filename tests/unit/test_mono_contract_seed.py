"""The provider contract checks (tests/contract/provider_contract.py) run against Mono's
documented answers, so that the seed a real account will run is itself known to work."""

import httpx
import pytest

from banksync.mono.client import MonoClient
from tests.contract import provider_contract as contract
from tests.support.mono import fixture

BASE = "https://api.withmono.com"
ACCOUNT = "6972325w62ta67u33f88840a"
CUSTOMER = "682dd53a74682beb490a0ed4"


class DocumentedMono:
    """Mono as its docs describe it: a job processing once, then finished."""

    def __init__(self, key: str = "test_sk_good", limit_after: int | None = None) -> None:
        self.key, self.limit_after, self.lookups, self.calls = key, limit_after, 0, 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if request.headers["mono-sec-key"] != self.key:
            return httpx.Response(401, json={"status": "failed", "message": "Invalid key"})
        if self.limit_after is not None and self.calls > self.limit_after:
            return httpx.Response(
                429, json=fixture("error_429.json"), headers={"retry-after": "30"}
            )
        path = request.url.path
        if path.endswith("/auth"):
            return httpx.Response(200, json={"id": ACCOUNT})
        if path.endswith("/jobs/job-1"):
            self.lookups += 1
            body = fixture("job_status.json")
            body["data"]["status"] = "processing" if self.lookups == 1 else "finished"
            return httpx.Response(200, json=body)
        if request.headers.get("x-realtime") == "true":
            headers = {"x-job-id": "job-1", "x-job-status": "processing"}
            return httpx.Response(200, json=fixture("realtime_enqueued.json"), headers=headers)
        if path.endswith("/balance"):
            return httpx.Response(200, json=fixture("balance.json"))
        if path.endswith("/transactions"):
            body = fixture("transactions_page.json")
            body["meta"]["next"] = None
            return httpx.Response(200, json=body)
        if path == "/v2/accounts":
            body = fixture("accounts_list.json")
            body["data"][0] |= {"id": ACCOUNT, "customer": {"id": CUSTOMER}}
            body["meta"]["next"] = None
            return httpx.Response(200, json=body)
        return httpx.Response(200, json=fixture("account_details.json"))


def client(mono: DocumentedMono, key: str = "test_sk_good") -> MonoClient:
    return MonoClient(BASE, lambda: key, transport=httpx.MockTransport(mono))


def test_every_check_passes_against_the_documented_contract() -> None:
    waited: list[float] = []
    mono = DocumentedMono()
    found = [
        contract.exchange(client(mono), "code"),
        contract.account(client(mono), ACCOUNT),
        contract.balance(client(mono), ACCOUNT, waited.append),
    ]
    mono.lookups = 0
    found.append(contract.transaction_pages(client(mono), ACCOUNT, waited.append))
    found.append(contract.bad_key(client(mono, "test_sk_wrong")))
    assert [f.check for f in found] == [
        "exchange",
        "account",
        "refresh balance",
        "refresh transactions",
        "bad key",
    ]
    assert found[3].detail["rows"] == 2
    assert waited == [10, 10]


def test_the_rate_limit_check_reads_the_wait() -> None:
    limited = contract.rate_limit(client(DocumentedMono(limit_after=2)), CUSTOMER, 5)
    assert limited.detail == {"after_calls": 3, "retry_after": 30}


def test_a_wrong_key_accepted_breaks_the_contract() -> None:
    with pytest.raises(AssertionError, match="wrong key"):
        contract.bad_key(client(DocumentedMono(key="anything"), "anything"))
