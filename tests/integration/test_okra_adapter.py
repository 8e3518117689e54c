"""The adapter against the sandbox, in-process: the whole provider contract."""

from typing import Any

import httpx
import pytest

from banksync.okra.client import OkraClient
from banksync.provider.errors import (
    ProviderUnavailableError,
    RateLimitedError,
    UnauthorisedError,
)
from banksync.provider.model import Failed, NotReady, Ready, ReauthRequired, Started
from devstack.sandbox import AccountSpec, Scenario, World
from devstack.sandbox.server import SandboxServer
from devstack.sandbox.world import transaction_id
from tests.support.sandbox import SANDBOX_BASE_URL, VirtualClock, new_sandbox, sandbox_client

CUSTOMER = "cust-1"


def world(*scenarios: Scenario, **settings: Any) -> World:
    accounts = [
        AccountSpec(f"acct-{i}", CUSTOMER, scenario=scenario)
        for i, scenario in enumerate(scenarios)
    ]
    return World(accounts=accounts, **settings)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


def test_balance_is_not_ready_until_the_delay_passes(clock: VirtualClock) -> None:
    sandbox = new_sandbox(world(Scenario(ready_after=30)), clock)
    client = sandbox_client(sandbox)
    started = client.start_refresh("acct-0", "balance")
    assert isinstance(started, Started)
    assert started.callback_url.startswith(f"{SANDBOX_BASE_URL}/callback?record=")
    assert isinstance(client.fetch_callback(started.callback_url), NotReady)
    clock.advance(30)
    ready = client.fetch_callback(started.callback_url)
    assert isinstance(ready, Ready)
    assert ready.data["balance"]["account"]["id"] == "acct-0"
    assert len(sandbox.calls_to("/callback", "acct-0")) == 2


def test_transactions_follow_every_page_and_grow_between_refreshes(clock: VirtualClock) -> None:
    sandbox = new_sandbox(world(Scenario(ready_after=0), page_size=5), clock)
    client = sandbox_client(sandbox)

    def refresh() -> list[dict[str, str]]:
        started = client.start_refresh("acct-0", "transactions")
        assert isinstance(started, Started)
        ready = client.fetch_callback(started.callback_url)
        assert isinstance(ready, Ready)
        return list(ready.data["transactions"])

    first, second = refresh(), refresh()
    assert len(first) == 15  # 12 initial + 3 new, across 3 pages of 5
    assert len({transaction_id(t) for t in first}) == 15
    assert len(second) == 18
    assert {transaction_id(t) for t in first} < {transaction_id(t) for t in second}
    pending = {transaction_id(t) for t in first if t["cleared_date"] is None}
    assert pending
    assert all(t["cleared_date"] for t in second if transaction_id(t) in pending)


def test_the_same_seed_gives_the_same_transaction_ids(clock: VirtualClock) -> None:
    ids = []
    for _ in range(2):
        client = sandbox_client(new_sandbox(world(Scenario(ready_after=0)), clock))
        started = client.start_refresh("acct-0", "transactions")
        assert isinstance(started, Started)
        ready = client.fetch_callback(started.callback_url)
        assert isinstance(ready, Ready)
        ids.append([transaction_id(t) for t in ready.data["transactions"]])
    assert ids[0] == ids[1]


def test_accounts_by_customer_pages_and_filters_by_bank(clock: VirtualClock) -> None:
    sandbox = new_sandbox(world(Scenario(), Scenario(), Scenario()), clock)
    sandbox.world.accounts[2] = AccountSpec("acct-2", CUSTOMER, bank_id="gtb", bank_name="GTBank")
    client = OkraClient(
        SANDBOX_BASE_URL, lambda: "sandbox-secret-key", transport=sandbox.transport(), page_limit=2
    )
    accounts = client.accounts_by_customer(CUSTOMER)
    assert [a.account_id for a in accounts] == ["acct-0", "acct-1", "acct-2"]
    assert len(sandbox.calls_to("/accounts/getByCustomer")) == 2
    assert [a.account_id for a in client.accounts_by_customer(CUSTOMER, bank="gtb")] == ["acct-2"]
    assert client.accounts_by_customer("nobody") == []


def test_wrong_key_is_unauthorised(clock: VirtualClock) -> None:
    client = sandbox_client(new_sandbox(world(Scenario()), clock), key="wrong")
    with pytest.raises(UnauthorisedError):
        client.start_refresh("acct-0", "balance")


def test_429_asks_for_60_seconds_then_the_refresh_starts(clock: VirtualClock) -> None:
    client = sandbox_client(new_sandbox(world(Scenario(rate_limited_calls=1)), clock))
    with pytest.raises(RateLimitedError) as caught:
        client.start_refresh("acct-0", "balance")
    assert caught.value.retry_after == 60
    assert isinstance(client.start_refresh("acct-0", "balance"), Started)


def test_a_burst_past_the_requests_per_minute_limit_is_429(clock: VirtualClock) -> None:
    client = sandbox_client(new_sandbox(world(Scenario(), requests_per_minute=3), clock))
    for _ in range(3):
        client.start_refresh("acct-0", "balance")
    with pytest.raises(RateLimitedError):
        client.start_refresh("acct-0", "balance")
    clock.advance(60)
    assert isinstance(client.start_refresh("acct-0", "balance"), Started)


def test_retry_after_header_is_honoured() -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(429, headers={"Retry-After": "17"}))
    client = OkraClient(SANDBOX_BASE_URL, lambda: "k", transport=transport)
    with pytest.raises(RateLimitedError) as caught:
        client.start_refresh("acct-0", "balance")
    assert caught.value.retry_after == 17


def test_503_is_unavailable_then_recovers(clock: VirtualClock) -> None:
    client = sandbox_client(new_sandbox(world(Scenario(unavailable_calls=2)), clock))
    for _ in range(2):
        with pytest.raises(ProviderUnavailableError):
            client.start_refresh("acct-0", "balance")
    assert isinstance(client.start_refresh("acct-0", "balance"), Started)


def test_timeouts_are_unavailable() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    client = OkraClient(SANDBOX_BASE_URL, lambda: "k", transport=httpx.MockTransport(hang))
    with pytest.raises(ProviderUnavailableError, match="no answer in time"):
        client.fetch_callback(f"{SANDBOX_BASE_URL}/callback?record=r")


def test_slow_answers_take_their_time_on_the_sandbox_clock(clock: VirtualClock) -> None:
    client = sandbox_client(new_sandbox(world(Scenario(slow_seconds=4)), clock))
    client.start_refresh("acct-0", "balance")
    assert clock.slept == [4]


def test_reauth_and_never_ready(clock: VirtualClock) -> None:
    client = sandbox_client(
        new_sandbox(world(Scenario(reauth_required=True), Scenario(never_ready=True)), clock)
    )
    assert isinstance(client.start_refresh("acct-0", "balance"), ReauthRequired)
    started = client.start_refresh("acct-1", "balance")
    assert isinstance(started, Started)
    clock.advance(86_400)
    assert isinstance(client.fetch_callback(started.callback_url), NotReady)


def test_unknown_account_fails_that_item(clock: VirtualClock) -> None:
    client = sandbox_client(new_sandbox(world(Scenario()), clock))
    assert client.start_refresh("nope", "balance") == Failed("Account not found")


def test_callbacks_off_the_provider_host_are_never_followed() -> None:
    calls: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200)

    transport = httpx.MockTransport(answer)
    client = OkraClient(SANDBOX_BASE_URL, lambda: "secret", transport=transport)
    outcome = client.fetch_callback("http://169.254.169.254/latest/meta-data")
    assert isinstance(outcome, Failed)
    assert calls == []


def test_the_sandbox_serves_the_same_contract_on_loopback(clock: VirtualClock) -> None:
    sandbox = new_sandbox(world(Scenario(ready_after=5)), clock)
    server = SandboxServer(sandbox).start()
    try:
        client = OkraClient(server.base_url, lambda: sandbox.world.secret_key)
        started = client.start_refresh("acct-0", "balance")
        assert isinstance(started, Started)
        assert started.callback_url.startswith(server.base_url)
        assert isinstance(client.fetch_callback(started.callback_url), NotReady)
        clock.advance(5)
        assert isinstance(client.fetch_callback(started.callback_url), Ready)
    finally:
        server.stop()


def test_the_http_client_is_built_at_the_first_call_not_with_the_adapter() -> None:
    """A function that wires the adapter and never calls the provider (the aborter)
    builds no TLS context at its cold start."""
    adapter = OkraClient("https://api.okra.example/v2", lambda: "key")
    assert "_http" not in vars(adapter)
    adapter.callback_url_for("rec-1", "balance")
    assert "_http" not in vars(adapter), "building a URL is not a call"
