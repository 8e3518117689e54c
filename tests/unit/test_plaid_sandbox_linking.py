"""The Plaid sandbox through the official ``plaid-python`` client: Link, exchange, the
Item, accounts and balances, errors read by the client's ApiException."""

import json
from collections.abc import Iterator

import plaid
import pytest
from plaid.model.accounts_balance_get_request import AccountsBalanceGetRequest
from plaid.model.accounts_get_request import AccountsGetRequest
from plaid.model.country_code import CountryCode
from plaid.model.item_get_request import ItemGetRequest
from plaid.model.item_public_token_exchange_request import ItemPublicTokenExchangeRequest
from plaid.model.link_token_create_request import LinkTokenCreateRequest
from plaid.model.link_token_create_request_user import LinkTokenCreateRequestUser
from plaid.model.products import Products
from plaid.model.sandbox_public_token_create_request import SandboxPublicTokenCreateRequest
from plaid.model.sandbox_public_token_create_request_options import (
    SandboxPublicTokenCreateRequestOptions,
)

from tests.support.plaid_sandbox import HOOK, PlaidHarness, plaid_harness


@pytest.fixture
def harness() -> Iterator[PlaidHarness]:
    with plaid_harness() as harness:
        yield harness


def error_of(raised: pytest.ExceptionInfo[plaid.ApiException]) -> dict[str, object]:
    return json.loads(raised.value.body)  # type: ignore[no-any-return]


def test_a_sandbox_public_token_exchanges_once_for_an_access_token(harness: PlaidHarness) -> None:
    created = harness.client.sandbox_public_token_create(
        SandboxPublicTokenCreateRequest(
            institution_id="ins_109508",
            initial_products=[Products("transactions")],
            options=SandboxPublicTokenCreateRequestOptions(webhook=HOOK),
        )
    )
    exchange = ItemPublicTokenExchangeRequest(public_token=created.public_token)
    answer = harness.client.item_public_token_exchange(exchange)
    assert answer.access_token.startswith("access-sandbox-")
    item = harness.client.item_get(ItemGetRequest(access_token=answer.access_token)).item
    assert (item.item_id, item.webhook, item.error) == (answer.item_id, HOOK, None)
    with pytest.raises(plaid.ApiException) as raised:
        harness.client.item_public_token_exchange(exchange)
    assert raised.value.status == 400
    assert error_of(raised)["error_code"] == "INVALID_PUBLIC_TOKEN"


def test_a_public_token_expires_after_thirty_minutes(harness: PlaidHarness) -> None:
    public_token = harness.sandbox.link_item(HOOK)
    harness.advance(1800)
    with pytest.raises(plaid.ApiException) as raised:
        harness.client.item_public_token_exchange(
            ItemPublicTokenExchangeRequest(public_token=public_token)
        )
    assert error_of(raised)["error_code"] == "INVALID_PUBLIC_TOKEN"


def test_link_opened_with_a_link_token_links_an_item_with_its_webhook(
    harness: PlaidHarness,
) -> None:
    link = harness.client.link_token_create(
        LinkTokenCreateRequest(
            client_name="banksync",
            language="en",
            country_codes=[CountryCode("US")],
            user=LinkTokenCreateRequestUser(client_user_id="customer-1"),
            products=[Products("transactions")],
            webhook=HOOK,
        )
    )
    public_token = harness.sandbox.complete_link(link.link_token)
    answer = harness.client.item_public_token_exchange(
        ItemPublicTokenExchangeRequest(public_token=public_token)
    )
    item = harness.client.item_get(ItemGetRequest(access_token=answer.access_token)).item
    assert item.webhook == HOOK


def test_accounts_and_balances_read_as_the_clients_models(harness: PlaidHarness) -> None:
    access_token, item_id = harness.linked()
    accounts = harness.client.accounts_get(AccountsGetRequest(access_token=access_token))
    assert accounts.item.item_id == item_id
    assert [str(a.subtype) for a in accounts.accounts] == ["checking", "savings"]
    balances = harness.client.accounts_balance_get(
        AccountsBalanceGetRequest(access_token=access_token)
    )
    assert balances.accounts[0].balances.current == 110.0
    assert balances.accounts[0].balances.iso_currency_code == "USD"


def test_a_wrong_secret_is_plaids_invalid_api_keys(harness: PlaidHarness) -> None:
    access_token, _ = harness.linked()
    with pytest.raises(plaid.ApiException) as raised:
        harness.client_with("wrong").accounts_get(AccountsGetRequest(access_token=access_token))
    error = error_of(raised)
    assert raised.value.status == 400
    assert (error["error_type"], error["error_code"]) == ("INVALID_INPUT", "INVALID_API_KEYS")
    assert {"error_message", "display_message", "request_id"} <= set(error)
