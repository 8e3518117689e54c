"""Okra's HTTP API over httpx: refresh, callback fetch, accounts by customer.

Every call carries ``Authorization: Bearer <secret key>`` and an explicit
timeout. Failures of the call itself raise a typed ProviderError; what the
provider says about the data is returned as a typed outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from banksync.okra.accounts import account_from_okra
from banksync.okra.outcomes import classify_callback
from banksync.provider.errors import (
    RATE_LIMIT_WAIT_SECONDS,
    BadRequestError,
    BudgetExhaustedError,
    ProviderUnavailableError,
    RateLimitedError,
    UnauthorisedError,
)
from banksync.provider.model import (
    CallbackOutcome,
    Failed,
    Product,
    ProviderAccount,
    Ready,
    ReauthRequired,
    Started,
    StartOutcome,
)
from banksync.provider.port import Admission

if TYPE_CHECKING:
    import httpx

# httpx is imported where a call is made, not at a cold start: a function that
# wires the client and may make no call (the aborter; a round the budget cut
# short) does not load it for nothing.
READ_TIMEOUT, CONNECT_TIMEOUT = 10.0, 3.0
# The callback ``method`` of each product, as the provider's refresh answers name it.
CALLBACK_METHODS = {"balance": "BALANCE", "transactions": "REFRESH_TRANSACTIONS"}
MAX_PAGES = 200


class OkraClient:
    def __init__(
        self,
        base_url: str,
        secret_key: Callable[[], str],
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | None = None,
        page_limit: int = 100,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._secret_key = secret_key
        self._page_limit = page_limit
        self._timeout, self._transport = timeout, transport
        # Asked before every request (``admit_with``): every call, pages included,
        # takes a token from the one provider budget, at the caller's priority.
        self._admit: Admission = lambda: 0.0

    def admit_with(self, admission: Admission) -> None:
        self._admit = admission

    @cached_property
    def _http(self) -> httpx.Client:
        # Built at the first call, not at a cold start: a function that wires the client
        # and may never call the provider (the aborter) does not build its TLS context
        # (certifi's whole bundle of CA certificates) for nothing.
        import httpx

        timeout = self._timeout or httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
        return httpx.Client(timeout=timeout, transport=self._transport)

    def start_refresh(self, account_id: str, product: Product) -> StartOutcome:
        import httpx

        response = self._call(
            "POST", f"{self._base_url}/{product}/refresh", {"account_id": account_id}
        )
        body = _json(response)
        outcome = classify_callback(response.status_code, body)
        if isinstance(outcome, ReauthRequired | Failed):
            return outcome
        callback_url = body.get("data", {}).get("callback_url") if isinstance(body, dict) else None
        if not isinstance(callback_url, str) or not callback_url:
            return Failed("the refresh answer has no callback_url")
        if not self._is_provider_url(callback_url):
            return Failed("the callback_url is not on the provider's API")
        record = dict(httpx.URL(callback_url).params).get("record")
        return Started(callback_url=callback_url, record_id=record)

    def fetch_callback(self, callback_url: str, announced: bool = False) -> CallbackOutcome:
        """The callback's data, every page of it, once the provider has it ready."""
        if not self._is_provider_url(callback_url):
            return Failed("the callback_url is not on the provider's API")
        merged: dict[str, Any] | None = None
        for outcome in self._callback_pages(callback_url):
            if not isinstance(outcome, Ready):
                return outcome
            merged = _merge_page(merged, outcome.data)
        return Ready(merged or {})

    def callback_url_for(self, record_id: str, product: Product) -> str:
        """The callback of ``record_id``, for a webhook that did not give its URL."""
        import httpx

        url = httpx.URL(f"{self._base_url}/callback")
        return str(
            url.copy_merge_params({"record": record_id, "method": CALLBACK_METHODS[product]})
        )

    def accounts_by_customer(self, customer: str, bank: str | None = None) -> list[ProviderAccount]:
        accounts: list[ProviderAccount] = []
        page: int | None = 1
        while page is not None and page <= MAX_PAGES:
            payload = {"customer": customer, "page": page, "limit": self._page_limit}
            response = self._call("POST", f"{self._base_url}/accounts/getByCustomer", payload)
            body = _json(response)
            if response.status_code >= 400 or not isinstance(body, dict):
                raise BadRequestError(_message(body, "accounts lookup was refused"))
            data = body.get("data") or {}
            accounts += [account_from_okra(raw) for raw in data.get("accounts", [])]
            page = _next_page(data)
        return [a for a in accounts if bank is None or a.at_bank(bank)]

    def _callback_pages(self, callback_url: str) -> Iterator[CallbackOutcome]:
        import httpx

        page: int | None = 1
        while page is not None and page <= MAX_PAGES:
            url = httpx.URL(callback_url)
            if page > 1:
                url = url.copy_set_param("page", page)
            response = self._call("GET", str(url))
            outcome = classify_callback(response.status_code, _json(response))
            yield outcome
            page = _next_page(outcome.data) if isinstance(outcome, Ready) else None

    def _call(self, method: str, url: str, payload: dict[str, Any] | None = None) -> httpx.Response:
        import httpx

        wait = self._admit()
        if wait > 0:
            raise BudgetExhaustedError(wait)
        headers = {"Authorization": f"Bearer {self._secret_key()}", "Accept": "application/json"}
        try:
            response = self._http.request(method, url, json=payload, headers=headers)
        except httpx.TimeoutException as error:
            raise ProviderUnavailableError(
                f"no answer in time from {method} {_path(url)}"
            ) from error
        except httpx.TransportError as error:
            raise ProviderUnavailableError(f"{method} {_path(url)} failed: {error}") from error
        _raise_for_transport_status(response)
        return response

    def _is_provider_url(self, url: str) -> bool:
        ours, theirs = urlsplit(self._base_url), urlsplit(url)
        return (ours.scheme, ours.netloc) == (theirs.scheme, theirs.netloc)


def _raise_for_transport_status(response: httpx.Response) -> None:
    status, body = response.status_code, _json(response)
    where = _path(str(response.request.url))
    if status == 429:
        raise RateLimitedError(_message(body, f"rate limited on {where}"), _retry_after(response))
    if status >= 500:
        raise ProviderUnavailableError(_message(body, f"provider answered {status} on {where}"))
    if status in (401, 403):
        raise UnauthorisedError(_message(body, f"provider refused our key on {where}"))


# A Retry-After beyond this is read as this: a hold is never longer than SQS can delay.
MAX_RETRY_AFTER_SECONDS = 900


def _retry_after(response: httpx.Response) -> int:
    value = response.headers.get("retry-after", "").strip()
    if not (value.isascii() and value.isdigit()) or int(value) <= 0:
        return RATE_LIMIT_WAIT_SECONDS
    return min(int(value), MAX_RETRY_AFTER_SECONDS)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _message(body: Any, default: str) -> str:
    return str(body.get("message") or default) if isinstance(body, dict) else default


def _path(url: str) -> str:
    return urlsplit(url).path


def _next_page(data: dict[str, Any]) -> int | None:
    pagination = data.get("pagination")
    if not isinstance(pagination, dict) or not pagination.get("hasNextPage"):
        return None
    next_page = pagination.get("nextPage")
    return int(next_page) if isinstance(next_page, int | str) and str(next_page).isdigit() else None


def _merge_page(merged: dict[str, Any] | None, page: dict[str, Any]) -> dict[str, Any]:
    """Pages of one callback: lists are concatenated, everything else is the first page's."""
    if merged is None:
        return dict(page)
    for key, value in page.items():
        if isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = merged[key] + value
    merged["pagination"] = page.get("pagination", merged.get("pagination"))
    return merged
