"""Mono's client failures: each a typed error, never carrying the secret key, and every
request admitted by the budget before it is sent."""

import httpx
import pytest

from banksync.mono.client import MonoClient
from banksync.provider.errors import (
    BadRequestError,
    BudgetExhaustedError,
    ProviderUnavailableError,
    RateLimitedError,
    UnauthorisedError,
)
from tests.support.mono import fixture
from tests.unit.test_mono_client import ACCOUNT, BASE, KEY, FakeMono, answer, pages


@pytest.mark.parametrize(
    ("status", "headers", "error", "retry_after"),
    [
        (429, {}, RateLimitedError, 60),
        (429, {"retry-after": "17"}, RateLimitedError, 17),
        (429, {"retry-after": "Tue, 27 Jan 2026 12:02:00 GMT"}, RateLimitedError, 120),
        (429, {"retry-after": "soon"}, RateLimitedError, 60),
        (401, {}, UnauthorisedError, None),
        (403, {}, UnauthorisedError, None),
        (500, {}, ProviderUnavailableError, None),
        (503, {}, ProviderUnavailableError, None),
        (400, {}, BadRequestError, None),
        (404, {}, BadRequestError, None),
    ],
)
def test_failures_are_typed(
    status: int, headers: dict[str, str], error: type, retry_after: int | None
) -> None:
    body = fixture("error_429.json" if status == 429 else "error_400.json")
    client = FakeMono(balance=answer(body, status, headers)).client()
    with pytest.raises(error) as raised:
        client.fetch_callback(f"{BASE}/v2/accounts/{ACCOUNT}/balance")
    if retry_after is not None:
        assert isinstance(raised.value, RateLimitedError)
        assert raised.value.retry_after == retry_after
    if status == 400:
        assert "Invalid id query parameter" in str(raised.value)


def test_a_timeout_or_a_broken_connection_is_unavailable() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    for failure in (slow, broken):
        with pytest.raises(ProviderUnavailableError):
            FakeMono(balance=failure).client().start_refresh(ACCOUNT, "balance")


def test_the_key_never_reaches_an_error() -> None:
    echo = answer({"status": "failed", "message": f"bad key {KEY}", "data": None}, 401)
    with pytest.raises(UnauthorisedError) as raised:
        FakeMono(balance=echo).client().start_refresh(ACCOUNT, "balance")
    assert KEY not in str(raised.value)
    bad = MonoClient(BASE, lambda: "key\nwith newline", transport=httpx.MockTransport(FakeMono()))
    with pytest.raises(UnauthorisedError) as refused:
        bad.account(ACCOUNT)
    assert "newline" not in str(refused.value)


def test_every_request_is_admitted_first() -> None:
    mono = FakeMono(transactions=pages(2))
    client = mono.client()
    asked: list[int] = []

    def admit() -> float:
        asked.append(len(mono.requests))
        return 0.0

    client.admit_with(admit)
    client.fetch_callback(f"{BASE}/v2/accounts/{ACCOUNT}/transactions")
    assert asked == [0, 1]  # before each request, not after
    client.admit_with(lambda: 3.0)
    with pytest.raises(BudgetExhaustedError):
        client.start_refresh(ACCOUNT, "balance")
    assert len(mono.requests) == 2
