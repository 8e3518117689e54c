"""The checks a real provider account proves, as plain functions taking a client.

Not collected by pytest (no ``test_`` prefix): a runner calls them with a
client it built, against a sandbox or, with a deployer's keys, the real API
(``make provider-check PROVIDER=mono``). Each check returns what it learned,
for the runner to print, and raises AssertionError with the reason when the
provider breaks the contract banksync is built on.

``Waiter`` is how a check waits between polls: a sandbox test passes one that
advances a virtual clock, the real check one that sleeps.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from banksync.provider.errors import RateLimitedError, UnauthorisedError
from banksync.provider.model import (
    CallbackOutcome,
    NotReady,
    Product,
    ProviderAccount,
    Ready,
    Started,
    StartOutcome,
)

Waiter = Callable[[float], None]


class ContractClient(Protocol):
    def start_refresh(self, account_id: str, product: Product) -> StartOutcome: ...
    def fetch_callback(self, callback_url: str) -> CallbackOutcome: ...
    def accounts_by_customer(
        self, customer: str, bank: str | None = None
    ) -> list[ProviderAccount]: ...


class MonoContractClient(ContractClient, Protocol):
    def exchange_code(self, code: str) -> str: ...
    def account(self, account_id: str) -> ProviderAccount: ...


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    detail: dict[str, Any]


def exchange(client: MonoContractClient, code: str) -> Finding:
    """The widget's code is exchanged for a permanent account id."""
    account_id = client.exchange_code(code)
    assert account_id, "the exchange gave no account id"
    return Finding("exchange", {"account_id": account_id})


def account(client: MonoContractClient, account_id: str) -> Finding:
    """The account's details name its customer, bank and currency, and the customer's
    accounts list it."""
    found = client.account(account_id)
    assert found.account_id == account_id, f"details are of {found.account_id}"
    assert found.customer_id, "the details name no customer"
    assert found.currency, "the details name no currency"
    listed = client.accounts_by_customer(found.customer_id)
    assert account_id in {a.account_id for a in listed}, "the customer's accounts omit it"
    return Finding("account", {"bank": found.bank_id, "currency": found.currency})


def refreshed(
    client: ContractClient, account_id: str, product: Product, wait: Waiter, polls: int = 30
) -> Finding:
    """A refresh is started, polled until ready, and its data is the account's."""
    started = client.start_refresh(account_id, product)
    assert isinstance(started, Started), f"the refresh did not start: {started}"
    outcome = client.fetch_callback(started.callback_url)
    for _ in range(polls):
        if not isinstance(outcome, NotReady):
            break
        wait(10)
        outcome = client.fetch_callback(started.callback_url)
    assert isinstance(outcome, Ready), f"the refresh ended {outcome}"
    assert outcome.data.get("account_id") == account_id, "the data names another account"
    detail: dict[str, Any] = {"record_id": started.record_id, **started.extra}
    if product == "transactions":
        rows = outcome.data.get("transactions")
        assert isinstance(rows, list), "no transaction rows"
        assert outcome.data.get("complete") is True, "pages were left unread"
        ids = [row.get("id") for row in rows]
        assert len(ids) == len(set(ids)), "a row came twice across pages"
        detail |= {"rows": len(rows), "pages": outcome.data.get("pages")}
    return Finding(f"refresh {product}", detail)


def balance(client: ContractClient, account_id: str, wait: Waiter) -> Finding:
    return refreshed(client, account_id, "balance", wait)


def transaction_pages(client: ContractClient, account_id: str, wait: Waiter) -> Finding:
    return refreshed(client, account_id, "transactions", wait)


def rate_limit(client: ContractClient, customer: str, calls: int) -> Finding:
    """Asked too often, the provider answers 429, read as a RateLimitedError with a wait.

    Provoked with the accounts list, which starts no billed real-time job; still, keep
    ``calls`` small against a live account and stop at the first 429.
    """
    for sent in range(1, calls + 1):
        try:
            client.accounts_by_customer(customer)
        except RateLimitedError as limited:
            wait = limited.retry_after
        else:
            continue
        assert wait > 0, "a 429 without a wait"
        return Finding("429", {"after_calls": sent, "retry_after": wait})
    return Finding("429", {"after_calls": None, "note": f"no 429 in {calls} calls"})


def bad_key(client: ContractClient) -> Finding:
    """A client built with a wrong key is refused as unauthorised, never retried."""
    try:
        client.accounts_by_customer("contract-check")
    except UnauthorisedError as refused:
        return Finding("bad key", {"message": str(refused)})
    raise AssertionError("a wrong key was accepted")
