"""Mono's documented webhooks, stored as the receiver stores them, read as the port's news."""

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banksync.mono.reader import MonoWebhooks
from banksync.mono.urls import MonoUrls
from banksync.provider.announcements import AccountLinked, ReauthNeeded, Reauthorised
from tests.support.mono import RECEIVED_AT, fixture, stored

READER = MonoWebhooks()
API = "https://api.withmono.com/v2/accounts"
ALL_WEBHOOKS = [
    "webhook_account_connected.json",
    "webhook_account_connected_minimal.json",
    "webhook_account_updated_realtime.json",
    "webhook_account_updated_no_new_data.json",
    "webhook_account_updated_reauth_required.json",
    "webhook_account_updated_linking.json",
    "webhook_jobs_update_finished.json",
    "webhook_jobs_update_processing.json",
    "webhook_jobs_update_failed.json",
    "webhook_account_reauthorized.json",
    "webhook_reauthorisation_required.json",
    "webhook_sync_failed.json",
    "webhook_account_unlinked.json",
]


def news(name: str, **changes: Any) -> list[tuple[str, str | None, str | None, int | None]]:
    payload = fixture(name)
    payload["data"].get("meta", {}).update(changes)
    return [
        (a.product, a.record_id, a.callback_url, a.new_transactions)
        for a in READER.announcements(stored(payload))
    ]


def test_a_finished_job_announces_its_product_under_the_job() -> None:
    job, account = "681b431edb122e972b21fd4c", "681b12e922f90e2319dea1a"
    assert news("webhook_jobs_update_finished.json") == [
        ("transactions", job, f"{API}/{account}/transactions", None)
    ]
    balance_job = fixture("webhook_jobs_update_finished.json")
    balance_job["data"]["name"] = "jobs.accounts.sync_balance"
    (only,) = READER.announcements(stored(balance_job))
    assert (only.product, only.account_id, only.code) == ("balance", account, "JOB_FINISHED")


@pytest.mark.parametrize("name", ["processing", "failed"])
def test_a_job_not_finished_is_no_data_news(name: str) -> None:
    assert news(f"webhook_jobs_update_{name}.json") == []


def test_an_update_after_a_job_with_new_data_wakes_both_products_under_the_job() -> None:
    job, account = "68c9928e2f51b0693d5fffeb", "66e2d530c293212b39d34aa8"
    assert news("webhook_account_updated_realtime.json") == [
        ("balance", job, f"{API}/{account}/balance", None),
        ("transactions", job, f"{API}/{account}/transactions", None),
    ]
    only_balance = news("webhook_account_updated_realtime.json", retrieved_data=["balance"])
    assert [product for product, *_ in only_balance] == ["balance"]


def test_an_update_after_a_job_with_nothing_new_fetches_nothing() -> None:
    (nothing,) = READER.announcements(stored(fixture("webhook_account_updated_no_new_data.json")))
    assert (nothing.product, nothing.record_id, nothing.new_transactions) == (
        "transactions",
        "68c9928e2f51b0693d5fffeb",
        0,
    )
    assert nothing.nothing_new


def test_an_update_without_a_job_announces_what_was_retrieved_under_a_made_up_record() -> None:
    payload = fixture("webhook_account_updated_linking.json")
    event = stored(payload)
    account = "697926f050B9c321c1451dda"
    found = READER.announcements(event)
    assert [a.product for a in found] == ["balance", "transactions"]
    assert {a.record_id for a in found} == {f"{account}:mono:{payload['event_id']}"}
    assert found[0].callback_url == f"{API}/{account}/balance"
    assert found[0].as_of == "2026-01-27T21:00:38.856Z"
    # Every delivery of it: the same record; another webhook: another record.
    assert READER.announcements(stored(payload))[0].record_id == found[0].record_id
    other = copy.deepcopy(payload) | {"event_id": "another"}
    assert READER.announcements(stored(other))[0].record_id != found[0].record_id


@pytest.mark.parametrize("status", ["PROCESSING", "UNAVAILABLE", "FAILED"])
def test_an_update_without_data_is_no_news(status: str) -> None:
    assert news("webhook_account_updated_linking.json", data_status=status) == []


def test_a_sync_that_needs_reauthorisation_is_no_data_news_but_asks_for_it() -> None:
    event = stored(fixture("webhook_account_updated_reauth_required.json"))
    assert READER.announcements(event) == ()
    assert READER.reauth_needed(event) == ReauthNeeded(
        event_id=event["event_id"],
        account_id="66e2d530c293212b39d34aa8",
        at=RECEIVED_AT,
        reason="Mono: re-authorisation required (job 68c9928e2f51b0693d5fffeb)",
    )


def test_the_legacy_reauthorisation_event_asks_for_it_too() -> None:
    needed = READER.reauth_needed(stored(fixture("webhook_reauthorisation_required.json")))
    assert needed is not None
    assert needed.account_id == "5fbcde8f8699984153e65537"


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in ALL_WEBHOOKS
        if n
        not in {
            "webhook_account_updated_reauth_required.json",
            "webhook_reauthorisation_required.json",
        }
    ],
)
def test_no_other_webhook_asks_for_reauthorisation(name: str) -> None:
    assert READER.reauth_needed(stored(fixture(name))) is None


def test_a_reauthorisation_lifts_the_hold_of_its_account() -> None:
    event = stored(fixture("webhook_account_reauthorized.json"))
    done = READER.reauthorisation(event)
    assert isinstance(done, Reauthorised)
    assert (done.account_id, done.at, done.event_id) == (
        "697527435Ab9c368c14524b2",
        RECEIVED_AT,
        "mono:klB7u33NMmWqAcfZ0V424IgXpN1FcRJFhF62r8Y6oY",
    )
    assert READER.announcements(event) == ()
    assert READER.reauthorisation(stored(fixture("webhook_account_updated_realtime.json"))) is None


def test_a_connected_account_is_linked_with_its_customer_and_reference() -> None:
    event = stored(fixture("webhook_account_connected.json"))
    assert READER.account_linked(event) == AccountLinked(
        event_id="mono:jU4ixom09P6eX2arBA3AmeiPyYalMk4WPdCaQ",
        account_id="6979274350b9c321c14524b1",
        customer_id="6961439d7716b67eba2d068a",
        at=RECEIVED_AT,
        reference="4055877-T",
    )
    assert READER.announcements(event) == ()
    minimal = READER.account_linked(stored(fixture("webhook_account_connected_minimal.json")))
    assert minimal is not None
    assert minimal.reference is None
    assert READER.account_linked(stored(fixture("webhook_account_updated_linking.json"))) is None


@pytest.mark.parametrize("name", ALL_WEBHOOKS)
def test_every_documented_webhook_is_indexed_under_its_account(name: str) -> None:
    payload = fixture(name)
    fields = READER.indexed(payload).present_fields()
    assert fields["event_type"] == payload["event"]
    assert fields["account_id"]
    assert fields["code"]


def test_the_indexed_fields_of_a_job_and_an_update() -> None:
    job = READER.indexed(fixture("webhook_jobs_update_finished.json"))
    assert (job.record_id, job.status, job.code) == (
        "681b431edb122e972b21fd4c",
        "finished",
        "JOB_FINISHED",
    )
    update = READER.indexed(fixture("webhook_account_updated_realtime.json"))
    assert (update.record_id, update.code, update.bank_id) == (
        "68c9928e2f51b0693d5fffeb",
        "SUCCESSFUL",
        "000018",
    )
    linking = READER.indexed(fixture("webhook_account_updated_linking.json"))
    assert linking.code == "DATA_AVAILABLE"
    connected = READER.indexed(fixture("webhook_account_connected.json"))
    assert connected.customer_id == "6961439d7716b67eba2d068a"


def test_a_malformed_stored_payload_is_no_news() -> None:
    for payload in ("not json", "[]", None, json.dumps({"event": 3, "data": []})):
        event = {"event_id": "e", "payload": payload, "received_at": RECEIVED_AT}
        assert READER.announcements(event) == ()
        assert READER.reauthorisation(event) is None
        assert READER.reauth_needed(event) is None
        assert READER.account_linked(event) is None


def test_callback_urls_follow_the_readers_base_url() -> None:
    reader = MonoWebhooks("http://localhost:9000/mono/")
    (only,) = reader.announcements(stored(fixture("webhook_jobs_update_finished.json")))
    assert (
        only.callback_url
        == "http://localhost:9000/mono/v2/accounts/681b12e922f90e2319dea1a/transactions"
    )
    assert MonoUrls("http://localhost:9000/mono").target(only.callback_url) is not None


def test_the_event_key_is_monos_event_id() -> None:
    payload = fixture("webhook_account_updated_linking.json")
    assert READER.event_key(payload) == f"mono:{payload['event_id']}"
    # A retry is the same webhook even if Mono changed some field it re-stamps.
    assert READER.event_key(payload | {"delivered": 2}) == READER.event_key(payload)


ids = st.text(alphabet="0123456789abcdef", min_size=1, max_size=24)


@given(
    account=ids,
    job=ids,
    other_job=ids,
    status=st.sampled_from(["processing", "finished", "failed"]),
)
def test_jobs_without_an_event_id_are_keyed_by_job_and_status(
    account: str, job: str, other_job: str, status: str
) -> None:
    payload = fixture("webhook_jobs_update_finished.json")
    payload["data"] |= {"account": account, "id": job, "status": status}
    key = READER.event_key(payload)
    assert key == READER.event_key(json.loads(json.dumps(payload)))
    for field, value in (
        ("id", other_job),
        ("status", "finished" if status != "finished" else "failed"),
    ):
        changed = copy.deepcopy(payload)
        changed["data"][field] = value
        if value != payload["data"][field]:
            assert READER.event_key(changed) != key


@given(first=st.text(min_size=1, max_size=60), second=st.text(min_size=1, max_size=60))
def test_different_event_ids_are_different_keys(first: str, second: str) -> None:
    payload = fixture("webhook_account_reauthorized.json")
    one, two = payload | {"event_id": first}, payload | {"event_id": second}
    if first.strip() != second.strip():
        assert READER.event_key(one) != READER.event_key(two)
    assert READER.event_key(one) == READER.event_key(copy.deepcopy(one))


def test_updates_without_an_event_id_differ_by_has_new_data() -> None:
    with_data = fixture("webhook_account_updated_realtime.json")
    without = fixture("webhook_account_updated_no_new_data.json")
    assert READER.event_key(with_data) != READER.event_key(without)
