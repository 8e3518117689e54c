"""The Mono sandbox's answers and webhooks are shaped as Mono's documented examples
(tests/fixtures/mono) and carry what the contract page's fixture table says each does."""

from collections.abc import Callable
from typing import Any

import pytest

from devstack.sandbox_mono import MonoWorld
from tests.support.mono_sandbox import MonoHarness, account, fixture, shape_gaps
from tests.unit.test_mono_fixtures import check, page_table

CLAIMS = page_table()
REF = "4055877-T"


def linked_with_data(harness: MonoHarness, ref: str | None = REF) -> str:
    account_id = harness.linked(account(1, initial_transactions=25), ref=ref)
    harness.advance(harness.sandbox.world.link_data_delay)
    return account_id


def balance(h: MonoHarness) -> Any:
    return h.http.get(f"/v2/accounts/{linked_with_data(h)}/balance").json()


def transactions_page(h: MonoHarness) -> Any:
    return h.http.get(f"/v2/accounts/{linked_with_data(h)}/transactions").json()


def account_details(h: MonoHarness) -> Any:
    return h.http.get(f"/v2/accounts/{linked_with_data(h)}").json()


def exchange_token(h: MonoHarness) -> Any:
    code = h.sandbox.link_account(account(1))
    return h.http.post("/v2/accounts/auth", json={"code": code}).json()


def initiate_link(h: MonoHarness) -> Any:
    body = {
        "customer": {"name": "Samuel Olamide", "email": "samuel@example.com"},
        "meta": {"ref": REF},
        "scope": "auth",
        "redirect_url": "https://business.example/linked",
    }
    return h.http.post("/v2/accounts/initiate", json=body).json()


def initiate_reauth(h: MonoHarness) -> Any:
    body = {"account": linked_with_data(h), "scope": "reauth", "meta": {"ref": REF}}
    body["redirect_url"] = "https://business.example/reauthorised"
    return h.http.post("/v2/accounts/initiate", json=body).json()


def realtime_call(h: MonoHarness, product: str = "balance") -> str:
    account_id = linked_with_data(h)
    h.sandbox.post_transactions(account_id, 2)
    answer = h.http.get(f"/v2/accounts/{account_id}/{product}", headers={"x-realtime": "true"})
    h.advance(h.sandbox.world.realtime_delay)
    return account_id + "/jobs/" + answer.headers["x-job-id"]


def job_status(h: MonoHarness) -> Any:
    return h.http.get(f"/v2/accounts/{realtime_call(h)}").json()


def realtime_enqueued(h: MonoHarness) -> Any:
    path = f"/v2/accounts/{linked_with_data(h)}/transactions"
    return h.http.get(path, headers={"x-realtime": "true"}).json()


def accounts_list(h: MonoHarness) -> Any:
    for number in range(1, 13):
        h.linked(account(number))
    return h.http.get("/v2/accounts").json()


def error_400(h: MonoHarness) -> Any:
    return h.http.get(f"/v2/accounts/{linked_with_data(h)}/transactions?page=0").json()


def error_429(h: MonoHarness) -> Any:
    h.sandbox.faults.fail_next(429)
    return h.http.get("/v2/accounts").json()


def webhook(event: str, scenario: Callable[[MonoHarness], object]) -> Callable[[MonoHarness], Any]:
    def run(h: MonoHarness) -> Any:
        scenario(h)
        h.advance(0)
        return h.business.last(event)

    return run


def reauth_required(h: MonoHarness) -> str:
    account_id = linked_with_data(h, ref=None)
    h.sandbox.require_reauth(account_id)
    h.http.get(f"/v2/accounts/{account_id}/transactions", headers={"x-realtime": "true"})
    return account_id


def nothing_new(h: MonoHarness) -> None:
    path = f"/v2/accounts/{linked_with_data(h)}/transactions"
    h.http.get(path, headers={"x-realtime": "true"})
    h.advance(h.sandbox.world.realtime_delay)


def reauthorised(h: MonoHarness) -> None:
    account_id = reauth_required(h)
    body = {"account": account_id, "scope": "reauth"}
    url = h.http.post("/v2/accounts/initiate", json=body).json()["data"]["mono_url"]
    h.sandbox.complete_link(url)


SCENARIOS: dict[str, Callable[[MonoHarness], Any]] = {
    "balance.json": balance,
    "transactions_page.json": transactions_page,
    "account_details.json": account_details,
    "exchange_token.json": exchange_token,
    "initiate_link.json": initiate_link,
    "initiate_reauth.json": initiate_reauth,
    "job_status.json": job_status,
    "realtime_enqueued.json": realtime_enqueued,
    "accounts_list.json": accounts_list,
    "error_400.json": error_400,
    "error_429.json": error_429,
    "webhook_account_connected.json": webhook(
        "mono.events.account_connected", lambda h: h.sandbox.link_account(account(1), REF)
    ),
    "webhook_account_updated_linking.json": webhook(
        "mono.events.account_updated", linked_with_data
    ),
    "webhook_account_updated_realtime.json": webhook("mono.events.account_updated", realtime_call),
    "webhook_account_updated_no_new_data.json": webhook("mono.events.account_updated", nothing_new),
    "webhook_account_updated_reauth_required.json": webhook(
        "mono.events.account_updated", reauth_required
    ),
    "webhook_jobs_update_finished.json": webhook("mono.accounts.jobs.update", nothing_new),
    "webhook_jobs_update_failed.json": webhook("mono.accounts.jobs.update", reauth_required),
    "webhook_account_reauthorized.json": webhook("mono.events.account_reauthorized", reauthorised),
}
# Documented payloads the sandbox has no occasion to send: legacy data sync, unlinking,
# the first example of account_connected, a jobs.update while processing (Mono's docs
# say the job webhook comes "on completion").
NOT_SERVED = {
    "webhook_account_connected_minimal.json",
    "webhook_reauthorisation_required.json",
    "webhook_sync_failed.json",
    "webhook_account_unlinked.json",
    "webhook_jobs_update_processing.json",
    "legacy_sync_success.json",
    "legacy_sync_reauth_required.json",
    "realtime_response_headers.json",  # headers: test_mono_sandbox_realtime
}


def test_every_documented_payload_is_served_or_said_not_to_be() -> None:
    assert set(SCENARIOS) | NOT_SERVED == set(CLAIMS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_sandbox_answers_as_documented(name: str) -> None:
    harness = MonoHarness(MonoWorld(realtime_delay=20))
    document = SCENARIOS[name](harness)
    assert shape_gaps(fixture(name), document) == []
    problems = [problem for claim in CLAIMS[name] if (problem := check(document, claim))]
    assert problems == []
