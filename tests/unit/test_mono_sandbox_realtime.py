"""Real-time data in the Mono sandbox, driven over HTTP: a job per account per window,
its headers, its lookup, the webhooks when it ends; Mono's own periodic sync;
re-authorisation and its lifting."""

import pytest

from devstack.sandbox_mono import MonoWorld
from tests.support.mono_sandbox import MonoHarness, account, fixture

REALTIME = {"x-realtime": "true"}
JOBS_UPDATE = "mono.accounts.jobs.update"
UPDATED = "mono.events.account_updated"


def linked(world: MonoWorld | None = None) -> tuple[MonoHarness, str]:
    harness = MonoHarness(world or MonoWorld(realtime_delay=20))
    account_id = harness.linked(account(1), ref="ref-1")
    harness.advance(harness.sandbox.world.link_data_delay)
    harness.business.received.clear()
    return harness, account_id


def job_headers(answer_headers: object) -> dict[str, str]:
    assert hasattr(answer_headers, "items")
    return {k: v for k, v in answer_headers.items() if k.startswith("x-")}


def test_a_real_time_call_starts_a_job_that_finishes_after_the_delay() -> None:
    harness, account_id = linked()
    harness.sandbox.post_transactions(account_id, 2)
    answer = harness.http.get(f"/v2/accounts/{account_id}/transactions", headers=REALTIME)
    job_id = answer.headers["x-job-id"]
    assert job_headers(answer.headers) == {"x-job-id": job_id, "x-job-status": "processing"}
    assert answer.json()["data"] is None  # "enqueued, please try again once notified"
    harness.advance(19)
    assert harness.business.received == []
    harness.advance(1)
    assert harness.business.events == [JOBS_UPDATE, UPDATED]
    job = harness.business.last(JOBS_UPDATE)["data"]
    assert (job["id"], job["account"], job["status"]) == (job_id, account_id, "finished")
    assert job["name"] == "jobs.accounts.sync_statement"
    meta = harness.business.last(UPDATED)["data"]["meta"]
    assert meta["sync_status"] == "SUCCESSFUL"
    assert meta["job_id"] == job_id
    assert meta["has_new_data"] is True
    assert meta["data_status"] == "AVAILABLE"
    assert meta["retrieved_data"] == ["identity", "balance", "transactions"]
    after = harness.http.get(f"/v2/accounts/{account_id}/transactions", params={"limit": 100})
    assert after.json()["meta"]["total"] == 14  # twelve rows, and the two the bank posted


def test_a_repeat_inside_the_window_gets_the_same_job_and_status() -> None:
    harness, account_id = linked()
    first = harness.http.get(f"/v2/accounts/{account_id}/balance", headers=REALTIME)
    harness.advance(10)
    again = harness.http.get(f"/v2/accounts/{account_id}/transactions", headers=REALTIME)
    assert job_headers(again.headers) == job_headers(first.headers)
    harness.advance(10)
    finished = harness.http.get(f"/v2/accounts/{account_id}/balance", headers=REALTIME)
    assert finished.headers["x-job-id"] == first.headers["x-job-id"]
    assert finished.headers["x-job-status"] == "finished"
    assert finished.json()["data"]["balance"] is not None
    assert len(harness.sandbox.jobs.jobs) == 1
    harness.advance(280)  # the window is five minutes from the job's start
    later = harness.http.get(f"/v2/accounts/{account_id}/balance", headers={"x-real-time": "true"})
    assert later.headers["x-job-id"] != first.headers["x-job-id"]
    assert later.headers["x-job-status"] == "processing"


def test_new_data_is_announced_only_when_there_is_some() -> None:
    harness, account_id = linked(MonoWorld(realtime_delay=0))
    answer = harness.http.get(f"/v2/accounts/{account_id}/balance", headers=REALTIME)
    assert job_headers(answer.headers) == {
        "x-job-id": answer.headers["x-job-id"],
        "x-job-status": "finished",
    }
    assert set(job_headers(answer.headers)) == set(
        fixture("realtime_response_headers.json")["finished_nothing_new"]
    )
    harness.advance(0)
    assert "has_new_data" not in harness.business.last(UPDATED)["data"]["meta"]
    harness.sandbox.post_transactions(account_id)
    harness.advance(300)
    answer = harness.http.get(f"/v2/accounts/{account_id}/balance", headers=REALTIME)
    assert answer.headers["x-has-new-data"] == "true"
    assert (
        job_headers(answer.headers).keys()
        == fixture("realtime_response_headers.json")["finished_with_new_data"].keys()
    )


def test_a_job_can_be_looked_up_while_it_runs_and_after() -> None:
    harness, account_id = linked()
    job_id = harness.http.get(f"/v2/accounts/{account_id}/balance", headers=REALTIME).headers[
        "x-job-id"
    ]
    path = f"/v2/accounts/{account_id}/jobs/{job_id}"
    assert harness.http.get(path).json()["data"]["status"] == "processing"
    harness.clock.advance(20)  # no tick: the lookup itself sees the time
    data = harness.http.get(path).json()["data"]
    assert data == {
        "id": job_id,
        "status": "finished",
        "name": "jobs.accounts.sync_balance",
        "account": account_id,
        "business": harness.sandbox.world.business_id,
        "app": harness.sandbox.world.app_id,
    }
    assert harness.http.get(f"/v2/accounts/{account_id}/jobs/nope").status_code == 404


def test_an_account_needing_reauthorisation_fails_its_jobs_until_it_is_reauthorised() -> None:
    harness, account_id = linked()
    harness.sandbox.require_reauth(account_id)
    answer = harness.http.get(f"/v2/accounts/{account_id}/transactions", headers=REALTIME)
    assert answer.headers["x-job-status"] == "failed"
    assert "x-has-new-data" not in answer.headers
    harness.advance(0)
    assert harness.business.events == [JOBS_UPDATE, UPDATED]
    assert harness.business.last(JOBS_UPDATE)["data"]["status"] == "failed"
    meta = harness.business.last(UPDATED)["data"]["meta"]
    assert meta["sync_status"] == "REAUTHORISATION_REQUIRED"
    assert "has_new_data" not in meta
    body = {"account": account_id, "scope": "reauth", "redirect_url": "https://b.example/r"}
    link = harness.http.post("/v2/accounts/initiate", json=body).json()["data"]
    assert link["account"] == account_id
    harness.business.received.clear()
    harness.sandbox.complete_link(link["mono_url"])
    harness.advance(harness.sandbox.world.link_data_delay)
    assert harness.business.events == ["mono.events.account_reauthorized", UPDATED]
    assert harness.business.last("mono.events.account_reauthorized")["data"]["account"] == {
        "_id": account_id
    }
    assert harness.business.last(UPDATED)["data"]["meta"]["data_status"] == "AVAILABLE"
    harness.advance(300)
    again = harness.http.get(f"/v2/accounts/{account_id}/balance", headers=REALTIME)
    assert again.headers["x-job-status"] == "processing"


def test_mono_syncs_on_its_own_only_when_asked_to() -> None:
    harness, account_id = linked()
    harness.sandbox.post_transactions(account_id, 2)
    harness.advance(7 * 86_400)
    assert harness.business.received == []  # no periodic sync by default


@pytest.mark.parametrize("period", [3600.0, 21_600.0])
def test_mono_s_own_sync_announces_new_rows_on_its_period(period: float) -> None:
    world = MonoWorld(auto_sync_seconds=period)
    harness = MonoHarness(world)
    quiet = harness.linked(account(1))
    busy = harness.linked(account(2, new_transaction_every=period / 2))
    reauth = harness.linked(account(3, new_transaction_every=60))
    harness.sandbox.require_reauth(reauth)
    harness.advance(world.link_data_delay)
    harness.business.received.clear()
    harness.advance(period - world.link_data_delay)
    harness.advance(period)
    updates = [p for p, _ in harness.business.received]
    assert [p["data"]["account"]["_id"] for p in updates] == [busy, busy]
    assert all(p["data"]["meta"]["has_new_data"] is True for p in updates)
    assert all(p["data"]["meta"]["sync_status"] == "SUCCESSFUL" for p in updates)
    assert quiet not in {p["data"]["account"]["_id"] for p in updates}
    total = harness.http.get(f"/v2/accounts/{busy}/transactions").json()["meta"]["total"]
    assert total == 12 + 4  # a row every half period, two periods
