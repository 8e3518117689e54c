"""Mono's v2 API over httpx: real-time refreshes, their jobs, data, accounts, linking.

Every request carries the app's secret key in ``mono-sec-key``, is admitted by
the stack's provider budget first, and has an explicit timeout. Failures of
the call itself raise a typed ProviderError; what Mono says about the data is
returned as a typed outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from banksync.clock import Clock, utc_now
from banksync.mono.accounts import account_from_details, account_from_mono
from banksync.mono.answers import (
    body,
    header_flag,
    job_state,
    message,
    raise_for_status,
    refusal,
    says_reauth,
)
from banksync.mono.data import DataReader
from banksync.mono.urls import MonoUrls
from banksync.mono.values import text
from banksync.provider.errors import (
    BudgetExhaustedError,
    ProviderError,
    ProviderUnavailableError,
    UnauthorisedError,
)
from banksync.provider.model import (
    REAUTH_REASON,
    CallbackOutcome,
    Failed,
    NotReady,
    Product,
    ProviderAccount,
    ReauthRequired,
    Started,
    StartOutcome,
)
from banksync.provider.port import Admission

if TYPE_CHECKING:
    import httpx

# httpx is imported where a call is made, not at a cold start (as Okra's client).
READ_TIMEOUT, CONNECT_TIMEOUT = 10.0, 3.0
# Mono may hold a real-time call while it asks the bank (its docs name 30 s
# before it answers "enqueued"): wait past that, not the usual read timeout.
REALTIME_READ_TIMEOUT = 40.0
MAX_PAGES = 200


class MonoClient:
    def __init__(
        self,
        base_url: str,
        secret_key: Callable[[], str],
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | None = None,
        page_limit: int = 100,
        max_pages: int = MAX_PAGES,
        clock: Clock = utc_now,
    ) -> None:
        self.urls = MonoUrls(base_url)
        self._secret_key = secret_key
        self._timeout, self._transport, self._clock = timeout, transport, clock
        self._page_limit, self._max_pages = page_limit, max_pages
        self._admit: Admission = lambda: 0.0
        # The key of the latest call, blanked out of any message Mono echoes it in.
        self._key = ""

    def admit_with(self, admission: Admission) -> None:
        self._admit = admission

    @cached_property
    def _http(self) -> httpx.Client:
        import httpx

        return httpx.Client(transport=self._transport)

    def start_refresh(self, account_id: str, product: Product) -> StartOutcome:
        """A real-time call: Mono answers with its job's id and status in headers.

        A job already finished is Started all the same: the first poll fetches.
        """
        response = self._call("GET", self.urls.data(account_id, product), realtime=True)
        if says_reauth(response):
            return ReauthRequired(self._reauth_reason(response))
        if response.status_code >= 400:
            raise refusal(response, self._key)
        job_id = text(response.headers.get("x-job-id"))
        status = response.headers.get("x-job-status")
        state = job_state(status)
        if state == "reauth":
            return ReauthRequired(self._reauth_reason(response))
        if state == "failed" or _failed(body(response)):
            return Failed(f"Mono's real-time job {job_id or '(no id)'} for {product} failed")
        extra = {
            "job_status": status,
            "has_new_data": header_flag(response.headers.get("x-has-new-data")),
        }
        if job_id is None:
            # Mono took the call without a job (an "enqueued" answer, or an account
            # real-time data does not cover): the data itself is polled.
            return Started(self.urls.data(account_id, product), None, extra)
        return Started(self.urls.job(account_id, job_id, product), job_id, extra)

    def fetch_callback(self, callback_url: str, announced: bool = False) -> CallbackOutcome:
        """A job's data once the job finished, or the data at a plain data URL. Mono's
        webhook announcing the job (``announced``) says it finished: the job lookup is
        the fallback for a run no webhook woke."""
        target = self.urls.target(callback_url)
        if target is None:
            return Failed("the callback URL is not a Mono job or data URL on the provider's API")
        if target.account_id is None:
            return Failed(f"Mono's job {target.job_id} names no account to look it up under")
        if target.job_id is not None and not announced:
            pending = self._job(target.account_id, target.job_id)
            if pending is not None:
                return pending
        return self._data(target.account_id, target.product)

    def callback_url_for(self, record_id: str, product: Product) -> str:
        return self.urls.record(record_id, product)

    def accounts_by_customer(self, customer: str, bank: str | None = None) -> list[ProviderAccount]:
        """Mono lists a business's accounts, not a customer's: every page, filtered."""
        accounts: list[ProviderAccount] = []
        pages, _, _ = self._pages(f"{self.urls.base}/v2/accounts")
        for rows in pages:
            if isinstance(rows, list):
                accounts += [account_from_mono(row) for row in rows if isinstance(row, dict)]
        return [
            a for a in accounts if a.customer_id == customer and (bank is None or a.at_bank(bank))
        ]

    def exchange_code(self, code: str) -> str:
        """The permanent account id for the widget's code (valid for ten minutes)."""
        response = self._call("POST", f"{self.urls.base}/v2/accounts/auth", json={"code": code})
        said = self._answer(response)
        data = said.get("data")
        found = text(said.get("id")) or (text(data.get("id")) if isinstance(data, dict) else None)
        if found is None:
            raise ProviderError("Mono's code exchange answered no account id")
        return found

    def account(self, account_id: str) -> ProviderAccount:
        response = self._call("GET", self.urls.account(account_id))
        data = self._answer(response).get("data")
        found = account_from_details(data) if isinstance(data, dict) else None
        if found is None or not found.account_id:
            raise ProviderError(f"Mono's account details for {account_id} name no account")
        return found

    def reauthorisation_link(self, account_id: str, redirect_url: str, reference: str) -> str:
        """The link Mono issues for the customer to re-authorise ``account_id``."""
        request = {
            "account": account_id,
            "scope": "reauth",
            "meta": {"ref": reference},
            "redirect_url": redirect_url,
        }
        response = self._call("POST", f"{self.urls.base}/v2/accounts/initiate", json=request)
        data = self._answer(response).get("data")
        link = text(data.get("mono_url")) if isinstance(data, dict) else None
        if link is None or not link.startswith("https://"):
            raise ProviderError("Mono's re-authorisation answer has no link")
        return link

    def _job(self, account_id: str, job_id: str) -> CallbackOutcome | None:
        """None once the job finished; else what its status means."""
        response = self._call("GET", self.urls.job_lookup(account_id, job_id))
        said = self._answer(response)
        data = said.get("data")
        status = data.get("status") if isinstance(data, dict) else None
        state = job_state(status)
        if state == "finished":
            return None
        if state == "reauth" or (state == "failed" and says_reauth(response)):
            return ReauthRequired(self._reauth_reason(response))
        if state == "failed":
            return Failed(f"Mono's real-time job {job_id} failed")
        return NotReady(f"Mono's job {job_id} is {status or 'not finished'}")

    def _data(self, account_id: str, product: Product) -> CallbackOutcome:
        """The data Mono holds now, fetched without starting a real-time job."""
        reader = DataReader(account_id)
        url = self.urls.data(account_id, product)
        if product == "balance":
            return reader.balance(self._answer(self._call("GET", url, realtime=False)))
        pages, total, more = self._pages(url, realtime=False)
        return reader.transactions(pages, total, complete=not more)

    def _pages(self, url: str, realtime: bool | None = None) -> tuple[list[Any], Any, bool]:
        """(every page's ``data``, ``meta.total``, whether Mono had pages beyond
        ``max_pages``), asking for ``page=N+1`` on the known path while ``meta.next``
        is set: Mono's own ``next`` link is not to be followed (its documented example
        lacks the ``/accounts/`` segment)."""
        found: list[Any] = []
        total: Any = None
        more = False
        for page in range(1, self._max_pages + 1):
            params = {"page": page, "limit": self._page_limit}
            said = self._answer(self._call("GET", url, params=params, realtime=realtime))
            data, meta = said.get("data"), said.get("meta")
            found.append(data)
            meta = meta if isinstance(meta, dict) else {}
            total = meta.get("total") if page == 1 else total
            more = meta.get("next") not in (None, "")
            if not more or not isinstance(data, list) or not data:
                return found, total, False
        return found, total, more

    def _answer(self, response: httpx.Response) -> dict[str, Any]:
        """The JSON object of a successful answer; a refusal raises BadRequestError."""
        said = body(response)
        if response.status_code >= 400 or _failed(said):
            raise refusal(response, self._key)
        if not isinstance(said, dict):
            raise ProviderUnavailableError("Mono's answer is not a JSON object")
        return said

    def _call(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        realtime: bool | None = None,
    ) -> httpx.Response:
        import httpx

        wait = self._admit()
        if wait > 0:
            raise BudgetExhaustedError(wait)
        key = self._secret_key()
        if not key or not key.isascii() or not key.isprintable():
            raise UnauthorisedError("the Mono secret key is empty or not a valid header value")
        self._key = key
        headers = {"mono-sec-key": key, "Accept": "application/json"}
        if realtime is not None:
            # Explicitly false on a fetch: Mono's docs warn that leaving it on starts a
            # new (billed) real-time job.
            headers["x-realtime"] = "true" if realtime else "false"
        read = REALTIME_READ_TIMEOUT if realtime else READ_TIMEOUT
        timeout = self._timeout or httpx.Timeout(read, connect=CONNECT_TIMEOUT)
        where = httpx.URL(url).path
        try:
            response = self._http.request(
                method, url, params=params, json=json, headers=headers, timeout=timeout
            )
        except httpx.TimeoutException as error:
            raise ProviderUnavailableError(f"no answer in time from {method} {where}") from error
        except httpx.TransportError as error:
            raise ProviderUnavailableError(
                f"{method} {where} failed: {type(error).__name__}"
            ) from error
        raise_for_status(response, key, self._clock())
        return response

    def _reauth_reason(self, response: httpx.Response) -> str:
        said = message(response, "", self._key)
        return f"{REAUTH_REASON} (Mono: {said})" if said else REAUTH_REASON


def _failed(said: Any) -> bool:
    return isinstance(said, dict) and str(said.get("status", "")).strip().lower() == "failed"
