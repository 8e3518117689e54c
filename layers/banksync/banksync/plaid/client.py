"""Plaid through its official client, ``plaid-python``, behind the provider port.

Every request is built with plaid-python's model classes and sent by its
``PlaidApi``, after the stack's provider budget admits it, with an explicit
timeout. Answers are read as Plaid's JSON (``_preload_content=False``): the raw
rows are stored as Plaid wrote them, and plaid-python's debug log of response
bodies (which would hold an exchanged access token) never runs.

An Item's ``access_token`` never passes through the port: the caller's store
hands it in (``Items``), decrypted only for the call; it is not logged, not in
any message, outcome or ``Ready.data``. Callback URLs name Plaid's endpoint
and the Item or account, nothing secret.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from banksync.plaid.answers import Refusal, refusal_of
from banksync.plaid.items import ItemAccess, Items, LinkedItem
from banksync.plaid.sync import SyncPages
from banksync.provider.errors import BudgetExhaustedError, ProviderError, ProviderUnavailableError
from banksync.provider.model import (
    REAUTH_REASON,
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
    from plaid.api.plaid_api import PlaidApi

TIMEOUT = (3.0, 30.0)
SYNC_PATH, BALANCE_PATH = "/transactions/sync", "/accounts/balance/get"


def plaid_api(host: str, client_id: Callable[[], str], secret: Callable[[], str]) -> PlaidApi:
    """plaid-python's client at ``host`` (Plaid's production or sandbox URL, or an
    offline sandbox), its keys read at each call (cached Secrets Manager reads)."""
    import plaid
    from plaid.api.plaid_api import PlaidApi

    # Named up front so that plaid-python asks for them; read fresh by the hook.
    configuration = plaid.Configuration(host=host, api_key={"clientId": "", "secret": ""})

    def keys(conf: Any) -> None:
        conf.api_key.update(clientId=client_id(), secret=secret())

    configuration.refresh_api_key_hook = keys
    return PlaidApi(plaid.ApiClient(configuration))


class PlaidClient:
    def __init__(self, api: PlaidApi, items: Items, *, page_size: int = 500) -> None:
        self._api, self._items, self._page_size = api, items, page_size
        self._admit: Admission = lambda: 0.0
        self.host = str(api.api_client.configuration.host).rstrip("/")

    def admit_with(self, admission: Admission) -> None:
        self._admit = admission

    # The port.

    def start_refresh(self, account_id: str, product: Product) -> StartOutcome:
        """A balance is read live when fetched; transactions ask Plaid to extract now
        (``/transactions/refresh``, a paid add-on), then sync from the Item's cursor."""
        if product == "balance":
            return Started(self.callback_url_for(account_id, "balance"), account_id)
        access = self._items.by_account(account_id)
        outcome = self.refresh_transactions(access.access_token)
        if outcome is not None:
            return outcome
        return Started(self.callback_url_for(access.item_id, "transactions"), access.item_id)

    def fetch_callback(self, callback_url: str, announced: bool = False) -> CallbackOutcome:
        parts = urlsplit(callback_url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if callback_url.startswith(self.host) and parts.path.endswith(BALANCE_PATH):
            account_id = query.get("account_id")
            if account_id:
                access = self._items.by_account(account_id)
                return self.balance(access.access_token, account_id)
        if callback_url.startswith(self.host) and parts.path.endswith(SYNC_PATH):
            item_id = query.get("item_id")
            if item_id:
                return self.sync(self._items.by_item(item_id))
        return Failed("the callback URL is not a Plaid sync or balance URL on the provider's API")

    def callback_url_for(self, record_id: str, product: Product) -> str:
        """``record_id`` is the Item for transactions (Plaid syncs an Item), the account
        for a balance."""
        if product == "balance":
            return f"{self.host}{BALANCE_PATH}?{urlencode({'account_id': record_id})}"
        return f"{self.host}{SYNC_PATH}?{urlencode({'item_id': record_id})}"

    def accounts_by_customer(self, customer: str, bank: str | None = None) -> list[ProviderAccount]:
        found: list[ProviderAccount] = []
        for access in self._items.of_customer(customer):
            found += self.item_accounts(access.access_token, customer)
        return [a for a in found if bank is None or a.at_bank(bank)]

    # Plaid's own calls, each handed the Item's token by the caller.

    def sync(self, access: ItemAccess) -> CallbackOutcome:
        """Every page from ``access.cursor`` until ``has_more`` is false (see SyncPages)."""
        return SyncPages(self._sync_page, self._page_size).run(access)

    def balance(self, access_token: str, account_id: str) -> CallbackOutcome:
        from plaid.model.accounts_balance_get_request import AccountsBalanceGetRequest
        from plaid.model.accounts_balance_get_request_options import (
            AccountsBalanceGetRequestOptions,
        )

        request = AccountsBalanceGetRequest(
            access_token=access_token,
            options=AccountsBalanceGetRequestOptions(account_ids=[account_id]),
        )
        said = self._call(BALANCE_PATH, self._api.accounts_balance_get, request)
        if isinstance(said, Refusal):
            return self._outcome(said)
        for account in said.get("accounts") or []:
            if isinstance(account, dict) and account.get("account_id") == account_id:
                return Ready({"account_id": account_id, "balance": account})
        return Failed(f"Plaid's balance answer has no account {account_id}")

    def refresh_transactions(self, access_token: str) -> StartOutcome | None:
        """None once Plaid took the refresh; else why it did not."""
        from plaid.model.transactions_refresh_request import TransactionsRefreshRequest

        request = TransactionsRefreshRequest(access_token=access_token)
        said = self._call("/transactions/refresh", self._api.transactions_refresh, request)
        if isinstance(said, Refusal):
            if said.not_enabled:
                return Failed(
                    "on-demand refresh needs Plaid's Transactions Refresh product, which this "
                    f"Plaid account does not have ({said.error_code}); Plaid's own extraction "
                    "still announces new transactions"
                )
            return self._outcome(said)
        return None

    def exchange_public_token(self, public_token: str) -> LinkedItem:
        from plaid.model.item_public_token_exchange_request import (
            ItemPublicTokenExchangeRequest,
        )

        request = ItemPublicTokenExchangeRequest(public_token=public_token)
        said = self._call(
            "/item/public_token/exchange", self._api.item_public_token_exchange, request
        )
        if isinstance(said, Refusal):
            raise said.error()
        item_id, token = said.get("item_id"), said.get("access_token")
        if not isinstance(item_id, str) or not isinstance(token, str) or not token:
            raise ProviderError("Plaid's public token exchange answered no Item")
        return LinkedItem(item_id, token)

    def item_accounts(self, access_token: str, customer: str) -> list[ProviderAccount]:
        from plaid.model.accounts_get_request import AccountsGetRequest

        said = self._call("/accounts/get", self._api.accounts_get, AccountsGetRequest(access_token))
        if isinstance(said, Refusal):
            raise said.error()
        item = said.get("item")
        item = item if isinstance(item, dict) else {}
        institution = str(item.get("institution_id") or "")
        return [
            ProviderAccount(
                account_id=str(a.get("account_id")),
                customer_id=customer,
                bank_id=institution,
                bank_name=str(item.get("institution_name") or institution),
                nuban=str(a.get("mask") or ""),
                name=str(a.get("official_name") or a.get("name") or ""),
                currency=str((a.get("balances") or {}).get("iso_currency_code") or ""),
            )
            for a in said.get("accounts") or []
            if isinstance(a, dict) and a.get("account_id")
        ]

    def webhook_key(self, kid: str) -> dict[str, Any] | None:
        """The JWK Plaid gives for ``kid``; None when Plaid does not know it."""
        from plaid.model.webhook_verification_key_get_request import (
            WebhookVerificationKeyGetRequest,
        )

        request = WebhookVerificationKeyGetRequest(key_id=kid)
        path = "/webhook_verification_key/get"
        said = self._call(path, self._api.webhook_verification_key_get, request)
        if isinstance(said, Refusal):
            if said.status == 400 and not said.error().retryable:
                return None
            raise said.error()
        key = said.get("key")
        return key if isinstance(key, dict) else None

    def _sync_page(self, access_token: str, cursor: str, count: int) -> dict[str, Any] | Refusal:
        from plaid.model.transactions_sync_request import TransactionsSyncRequest

        request = TransactionsSyncRequest(access_token=access_token, count=count)
        if cursor:
            request.cursor = cursor
        return self._call(SYNC_PATH, self._api.transactions_sync, request)

    def _outcome(self, said: Refusal) -> ReauthRequired:
        if said.reauth:
            return ReauthRequired(f"{REAUTH_REASON} (Plaid: {said.error_code})")
        raise said.error()

    def _call(self, endpoint: str, method: Any, request: Any) -> dict[str, Any] | Refusal:
        import urllib3
        from plaid import ApiException

        wait = self._admit()
        if wait > 0:
            raise BudgetExhaustedError(wait)
        try:
            response = method(request, _preload_content=False, _request_timeout=TIMEOUT)
        except ApiException as error:
            if not error.status:
                raise ProviderUnavailableError(f"{endpoint} failed: no answer") from None
            return refusal_of(endpoint, error.status, error.body, error.headers)
        except urllib3.exceptions.HTTPError as error:
            raise ProviderUnavailableError(f"{endpoint} failed: {type(error).__name__}") from None
        try:
            return json.loads(response.data)  # type: ignore[no-any-return]
        except ValueError:
            raise ProviderUnavailableError(f"Plaid's answer to {endpoint} is not JSON") from None


__all__ = ["ItemAccess", "Items", "LinkedItem", "PlaidClient", "plaid_api"]
