"""The Mono sandbox's webhooks (the secret header, retries, event ids), its business-wide
rate limit and its faults, driven from outside."""

import pytest

from devstack.sandbox_mono import MonoWorld
from tests.support.mono_sandbox import HOOK_SECRET, MonoHarness, account

CONNECTED = "mono.events.account_connected"


def test_every_webhook_carries_the_apps_webhook_secret() -> None:
    harness = MonoHarness()
    account_id = harness.linked(account(1))
    harness.advance(harness.sandbox.world.link_data_delay)
    harness.http.get(f"/v2/accounts/{account_id}/balance", headers={"x-realtime": "true"})
    harness.advance(harness.sandbox.world.realtime_delay)
    assert len(harness.business.received) == 4
    assert {secret for _, secret in harness.business.received} == {HOOK_SECRET}


def test_an_unanswered_webhook_is_retried_on_the_schedule_then_given_up() -> None:
    harness = MonoHarness(None, *([500] * 100))
    harness.sandbox.link_account(account(1))
    harness.sandbox.faults.drop_webhooks(event="mono.events.account_updated")
    start = harness.clock.now
    for _ in range(2000):
        harness.advance(60)
    attempts = [sent.at - start for sent in harness.sandbox.outbox.sent]
    assert attempts == [60, 120, 420, 1320, 4920, 15_720, 37_320]
    assert len(harness.sandbox.outbox.abandoned) == 1
    assert harness.sandbox.outbox.waiting == 0
    assert len({payload["event_id"] for payload, _ in harness.business.received}) == 1


def test_the_retry_schedule_is_configurable_and_stops_at_the_first_2xx() -> None:
    harness = MonoHarness(MonoWorld(retry_delays=(10.0, 10.0, 10.0)), 502, 404, 204)
    harness.sandbox.link_account(account(1))
    harness.sandbox.faults.drop_webhooks(event="mono.events.account_updated")
    for _ in range(20):
        harness.advance(10)
    assert [s.status for s in harness.sandbox.outbox.sent] == [502, 404, 204]
    assert harness.sandbox.outbox.abandoned == []


def test_event_ids_are_on_the_events_the_changelog_names() -> None:
    harness = MonoHarness(MonoWorld(realtime_delay=0))
    account_id = harness.linked(account(1))
    harness.advance(harness.sandbox.world.link_data_delay)
    harness.http.get(f"/v2/accounts/{account_id}/balance", headers={"x-realtime": "true"})
    harness.sandbox.require_reauth(account_id)
    url = harness.http.post(
        "/v2/accounts/initiate", json={"account": account_id, "scope": "reauth"}
    ).json()["data"]["mono_url"]
    harness.sandbox.complete_link(url)
    harness.advance(0)
    carrying = {p["event"]: "event_id" in p for p, _ in harness.business.received}
    assert carrying == {
        CONNECTED: True,
        "mono.events.account_updated": True,
        "mono.accounts.jobs.update": False,
        "mono.events.account_reauthorized": True,
    }
    ids = [p["event_id"] for p, _ in harness.business.received if "event_id" in p]
    assert len(ids) == len(set(ids))


def test_webhooks_can_be_dropped_or_sent_twice() -> None:
    harness = MonoHarness()
    harness.sandbox.faults.drop_webhooks(1, event=CONNECTED)
    harness.sandbox.link_account(account(1))
    harness.sandbox.faults.duplicate_webhooks(1)
    harness.sandbox.link_account(account(2))
    harness.advance(10)
    connected = [p for p, _ in harness.business.received if p["event"] == CONNECTED]
    assert [p["data"]["id"] for p in connected] == [account(2).account_id] * 2
    assert connected[0] == connected[1]
    assert [p["data"]["id"] for p in harness.sandbox.outbox.dropped] == [account(1).account_id]


def test_the_business_wide_limit_answers_429_with_retry_after() -> None:
    harness = MonoHarness(MonoWorld(requests_per_minute=3))
    for _ in range(3):
        assert harness.http.get("/v2/accounts").status_code == 200
        harness.clock.advance(10)
    limited = harness.http.get("/v2/accounts")
    assert limited.status_code == 429
    assert limited.json() == {
        "status": "failed",
        "message": "Too many requests",
        "timestamp": limited.json()["timestamp"],
        "data": None,
    }
    assert limited.headers["Retry-After"] == "30"  # the first call leaves the minute then
    harness.clock.advance(29)
    assert harness.http.get("/v2/accounts").status_code == 429
    harness.clock.advance(1)
    assert harness.http.get("/v2/accounts").status_code == 200


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_faults_answer_their_status_in_the_envelope(status: int) -> None:
    harness = MonoHarness()
    account_id = harness.linked(account(1))
    harness.sandbox.faults.fail_next(status, times=2, path_contains="/balance")
    path = f"/v2/accounts/{account_id}/balance"
    assert harness.http.get(f"/v2/accounts/{account_id}").status_code == 200
    answers = [harness.http.get(path) for _ in range(3)]
    assert [a.status_code for a in answers] == [status, status, 200]
    assert answers[0].json()["status"] == "failed"


def test_a_fault_can_be_a_429_and_only_real_statuses_are_faults() -> None:
    harness = MonoHarness()
    harness.sandbox.faults.fail_next(429)
    answer = harness.http.get("/v2/accounts")
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "60")
    with pytest.raises(ValueError, match="status"):
        harness.sandbox.faults.fail_next(418)


def test_a_slow_answer_takes_its_time_on_the_sandboxs_sleep() -> None:
    harness = MonoHarness()
    harness.sandbox.faults.slow_next(31.0, path_contains="/transactions")
    account_id = harness.linked(account(1))
    harness.http.get(f"/v2/accounts/{account_id}/transactions")
    harness.http.get(f"/v2/accounts/{account_id}/transactions")
    assert harness.clock.slept == [31.0]
