"""The provider port's contract, the same tests for every adapter against its own
sandbox: what the flows rely on from any provider, in banksync's words.

Each provider's sandbox is an independent implementation of that provider's
documented API; the adapter is used unmodified, over HTTP (in process).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from banksync.mono.client import MonoClient
from banksync.provider.errors import RateLimitedError, UnauthorisedError
from banksync.provider.model import Failed, NotReady, Product, Ready, ReauthRequired, Started
from banksync.provider.names import ProviderName
from banksync.provider.port import Provider
from banksync.provider.records import TRANSACTION_FIELDS
from banksync.provider_registry import row_reader
from devstack.sandbox import AccountSpec, Scenario, World
from devstack.sandbox_mono import SANDBOX_SECRET_KEY, MonoAccountSpec, MonoSandbox, MonoWorld
from tests.support.sandbox import VirtualClock, new_sandbox, sandbox_client

ACCOUNT, CUSTOMER = "65f0a1b2c3d4e5f6a7b8c9d0", "65f0a1b2c3d4e5f6a7b8c9ff"
READY_AFTER = 60


@dataclass
class Target:
    """One provider's adapter on its sandbox, and the switches the tests pull."""

    name: ProviderName
    client: Provider
    clock: VirtualClock
    wrong_key: Callable[[], Provider]
    rate_limit_next: Callable[[], None]
    need_reauth: Callable[[], None]
    tick: Callable[[], Any]


def okra_target() -> Target:
    clock = VirtualClock()
    scenario = Scenario(ready_after=READY_AFTER)
    spec = AccountSpec(ACCOUNT, CUSTOMER, scenario=scenario)
    sandbox = new_sandbox(World(accounts=[spec], auto_refresh_seconds=None), clock)

    def change(**switches: Any) -> None:
        # A scenario is frozen: the account is given a new one, as a test of the wake does.
        sandbox.world.accounts[0] = replace(spec, scenario=replace(scenario, **switches))

    def rate_limit_next() -> None:
        change(rate_limited_calls=1)

    def need_reauth() -> None:
        change(reauth_required=True)

    return Target(
        "okra",
        sandbox_client(sandbox),
        clock,
        lambda: sandbox_client(sandbox, key="not-the-key"),
        rate_limit_next,
        need_reauth,
        sandbox.tick,
    )


def mono_target() -> Target:
    clock = VirtualClock()
    world = MonoWorld(accounts=[MonoAccountSpec(ACCOUNT, CUSTOMER)], realtime_delay=READY_AFTER)
    sandbox = MonoSandbox(world, clock=clock, sleep=clock.sleep)

    def client(key: str) -> MonoClient:
        return MonoClient("https://api.withmono.com", lambda: key, transport=sandbox.transport())

    return Target(
        "mono",
        client(SANDBOX_SECRET_KEY),
        clock,
        lambda: client("test_sk_not_the_key"),
        lambda: sandbox.faults.fail_next(429),
        lambda: sandbox.require_reauth(ACCOUNT),
        sandbox.tick,
    )


@pytest.fixture(params=["okra", "mono"])
def target(request: pytest.FixtureRequest) -> Target:
    return {"okra": okra_target, "mono": mono_target}[request.param]()


def refreshed(target: Target, product: Product) -> Ready:
    started = target.client.start_refresh(ACCOUNT, product)
    assert isinstance(started, Started), started
    outcome = target.client.fetch_callback(started.callback_url)
    for _ in range(20):
        if not isinstance(outcome, NotReady):
            break
        target.clock.advance(15)
        target.tick()
        outcome = target.client.fetch_callback(started.callback_url)
    assert isinstance(outcome, Ready), outcome
    return outcome


def test_a_customer_s_accounts_are_listed(target: Target) -> None:
    accounts = target.client.accounts_by_customer(CUSTOMER)
    assert [a.account_id for a in accounts] == [ACCOUNT]
    assert all(a.customer_id == CUSTOMER for a in accounts)
    assert target.client.accounts_by_customer("someone-else") == []


def test_a_refreshed_balance_reads_as_banksync_s_balance(target: Target) -> None:
    ready = refreshed(target, "balance")
    rows = row_reader(target.name)
    balance = rows.balance(rows.fetched_balance(ready.data), ACCOUNT, "2026-01-01T00:00:00Z")
    assert isinstance(balance["ledger"], int)
    assert balance["currency"] == "NGN"


def test_refreshed_transactions_read_as_banksync_s_transactions(target: Target) -> None:
    ready = refreshed(target, "transactions")
    rows = row_reader(target.name)
    raw = rows.fetched_transactions(ready.data)
    read = [rows.transaction(row, ACCOUNT, "NGN") for row in raw]
    assert len(read) >= 12, "the account's rows, all pages"
    for row in read:
        assert row is not None
        assert set(row) == set(TRANSACTION_FIELDS)
        assert isinstance(row["amount"], int)
        assert row["amount"] >= 0
        assert row["direction"] in ("debit", "credit")
    assert len({row["transaction_id"] for row in read if row}) == len(read)


def test_data_is_not_ready_before_the_provider_says_so(target: Target) -> None:
    started = target.client.start_refresh(ACCOUNT, "balance")
    assert isinstance(started, Started)
    assert isinstance(target.client.fetch_callback(started.callback_url), NotReady)


def test_a_429_is_rate_limited_with_a_wait(target: Target) -> None:
    target.rate_limit_next()
    with pytest.raises(RateLimitedError) as limited:
        target.client.start_refresh(ACCOUNT, "balance")
    assert limited.value.retry_after > 0


def test_a_wrong_key_is_unauthorised_never_retried(target: Target) -> None:
    with pytest.raises(UnauthorisedError) as refused:
        target.wrong_key().accounts_by_customer(CUSTOMER)
    assert not refused.value.retryable
    assert "not-the-key" not in str(refused.value)


def test_an_account_that_needs_re_authorisation_is_not_refreshed(target: Target) -> None:
    """Okra says so in the refresh's answer; Mono fails the job (and says why in its
    account webhook, which the webhook reader turns into a mark)."""
    target.need_reauth()
    started = target.client.start_refresh(ACCOUNT, "balance")
    if isinstance(started, Started):
        target.clock.advance(READY_AFTER)
        target.tick()
        outcome = target.client.fetch_callback(started.callback_url)
        assert not isinstance(outcome, Ready | NotReady), outcome
    else:
        assert isinstance(started, ReauthRequired | Failed), started
