"""Operating the sweep: start it now, follow its progress, page it at the budget's rate."""

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from banksync.bankdata.store import BankDataStore
from banksync.clock import iso
from devstack.sandbox import AccountSpec, Scenario, World
from tests.support.lambdas import http_event, invoke, json_body
from tests.support.sandbox import provider_account
from tests.support.sync import SyncHarness


@pytest.fixture
def bank(sync: SyncHarness) -> BankDataStore:
    return BankDataStore(sync.stack.refs["DataTable"], sync.aws.client("dynamodb"))


def registry(sync: SyncHarness, bank: BankDataStore, count: int, fresh: int = 0) -> list[str]:
    specs = [
        AccountSpec(f"acct-{i:03d}", f"cust-{i % 7}", scenario=Scenario(ready_after=20))
        for i in range(count)
    ]
    sync.refresh.use(World(accounts=specs, requests_per_minute=10_000))
    now = iso(sync.refresh.now())
    for n, spec in enumerate(specs):
        bank.register_account(provider_account(spec), "2026-11-01T00:00:00.000Z")
        if n < fresh:  # the provider's own refresh came today
            for product in ("balance", "transactions"):
                bank.freshness.mark_synced(spec.account_id, product, now, pushed=True)
    return [spec.account_id for spec in specs]


def api(sync: SyncHarness, method: str, path: str, **options: Any) -> dict[str, Any]:
    return invoke(sync.api, http_event(method, path, **options))


def finish_all(sync: SyncHarness) -> list[dict[str, Any]]:
    inputs = [json.loads(e["input"]) for e in sync.executions()]
    for execution in inputs:
        sync.refresh.finish(execution["refresh_id"])
    return inputs


def test_an_operator_starts_a_sweep_and_follows_it_to_the_end(
    sync: SyncHarness, bank: BankDataStore
) -> None:
    registry(sync, bank, 40, fresh=10)
    started = api(sync, "POST", "/sweeps")
    assert started["statusCode"] == 202
    body = json_body(started)
    assert body["status"] == "queueing"
    assert body["status_url"].endswith(f"/sweeps/{body['sweep_id']}")
    assert started["headers"]["Location"] == body["status_url"]
    path = f"/sweeps/{body['sweep_id']}"

    sync.drain_due_work()
    inputs = finish_all(sync)
    assert {e["priority"] for e in inputs} == {"sweep"}
    report = json_body(api(sync, "GET", path, route="GET /sweeps/{sweep_id}"))
    assert report["status"] == "completed"
    assert report["accounts"] == {
        "considered": 40,
        "skipped_fresh": 10,
        "skipped_reauth": 0,
        "queued": 30,
    }
    assert report["items"]["queued"] == report["items"]["done"] == 60
    assert report["items"]["by_status"] == {"succeeded": 60}
    assert report["refreshes"] == len(inputs)


def test_a_second_sweep_while_one_is_queueing_is_refused_with_its_status(
    sync: SyncHarness, bank: BankDataStore
) -> None:
    registry(sync, bank, 3)
    first = json_body(api(sync, "POST", "/sweeps"))
    second = api(sync, "POST", "/sweeps")
    assert second["statusCode"] == 409
    error = json_body(second)["error"]
    assert error["code"] == "sweep_running"
    assert error["fields"]["sweep_id"] == first["sweep_id"]
    sync.drain_due_work()
    finish_all(sync)
    assert api(sync, "POST", "/sweeps")["statusCode"] == 202


@pytest.mark.parametrize(
    "body",
    [
        '{"stale_after_hours": -1}',
        '{"stale_after_hours": true}',
        '{"stale_after_hours": "1"}',
        '{"stale": 1}',
        "[]",
        '{"stale_after_hours": 1e400}',
    ],
)
def test_a_bad_sweep_body_is_a_400_naming_the_field(sync: SyncHarness, body: str) -> None:
    response = api(sync, "POST", "/sweeps", body=body)
    assert response["statusCode"] == 400
    assert json_body(response)["error"]["message"]


def test_an_unknown_sweep_is_a_404(sync: SyncHarness) -> None:
    response = api(sync, "GET", "/sweeps/sw_nope", route="GET /sweeps/{sweep_id}")
    assert response["statusCode"] == 404


def test_stale_after_zero_refreshes_every_account(sync: SyncHarness, bank: BankDataStore) -> None:
    registry(sync, bank, 6, fresh=6)
    assert api(sync, "POST", "/sweeps", body={"stale_after_hours": 0})["statusCode"] == 202
    sync.drain_due_work()
    items = [i for e in finish_all(sync) for i in e["items"]]
    assert len(items) == 12


def test_the_sweep_is_paged_at_the_budgets_rate_and_survives_a_failed_page(
    sync: SyncHarness, bank: BankDataStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = registry(sync, bank, 40)
    pager = sync.batcher.batcher.daily.pager
    pager.rate = 10  # 9 calls a minute for the sweep: 5 accounts (40 calls) a page
    assert pager.page_size(4) == 5
    real_start = pager.sfn.start_execution
    failures: list[str] = []

    def start_once_failing(**request: Any) -> Any:
        if not failures:
            failures.append(request["name"])
            raise ClientError({"Error": {"Code": "ThrottlingException"}}, "StartExecution")
        return real_start(**request)

    monkeypatch.setattr(pager.sfn, "start_execution", start_once_failing)
    began = sync.refresh.clock.now
    assert api(sync, "POST", "/sweeps")["statusCode"] == 202
    sync.drain_due_work(max_batches=2000)
    inputs = finish_all(sync)
    refreshed = sorted(
        i["account_id"] for e in inputs for i in e["items"] if i["product"] == "balance"
    )
    assert refreshed == names, "every account once, the failed page included"
    assert failures[0] in {e["refresh_id"] for e in inputs}
    assert max(len(e["items"]) for e in inputs) <= 10
    calls = 40 * 2 * 4
    assert sync.refresh.clock.now - began >= 0.8 * calls * 60 / 9, "admitted at the budget's rate"


def test_the_schedule_repair_pages_through_every_subscription(sync: SyncHarness) -> None:
    sync.refresh.use(World(accounts=[]))
    ids = [
        sync.subscribe({"customer": f"c{i}", "products": ["balance"]})["subscription_id"]
        for i in range(130)
    ]
    service = sync.api.subscription_service
    last = service.store.get(ids[-1])
    last.state = "paused"
    service.schedules.put(last)  # disabled though active: on the second page of the repair
    sync.fire(sync.stack.refs["DailyRefreshSchedule"])
    sync.drain_due_work()
    assert sync.schedule(ids[-1])["State"] == "ENABLED"


def test_refresh_runs_are_listed_newest_first_by_kind_and_time(
    sync: SyncHarness, bank: BankDataStore
) -> None:
    registry(sync, bank, 4)
    api(sync, "POST", "/sweeps")
    sync.drain_due_work()
    finish_all(sync)
    listed = json_body(api(sync, "GET", "/refreshes", query={"kind": "sweep"}))
    assert listed["items"]
    assert {run["run_kind"] for run in listed["items"]} == {"sweep"}
    assert not json_body(api(sync, "GET", "/refreshes", query={"kind": "on_demand"}))["items"]
    later = json_body(api(sync, "GET", "/refreshes", query={"since": "2099-01-01T00:00:00Z"}))
    assert later["items"] == []
    first = json_body(api(sync, "GET", "/refreshes", query={"limit": "1"}))
    assert len(first["items"]) == 1
    if "next_token" in first:
        second = json_body(
            api(sync, "GET", "/refreshes", query={"limit": "1", "next_token": first["next_token"]})
        )
        assert second["items"][0]["refresh_id"] != first["items"][0]["refresh_id"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "bogus"}, "kind"),
        ({"since": "yesterday"}, "since"),
        ({"limit": "²"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"next_token": "bm90IGpzb24"}, "next_token"),
        ({"next_token": "eyJwayI6IHsiUyI6ICJ4In19"}, "next_token"),
    ],
)
def test_bad_list_parameters_are_a_400_naming_them(
    sync: SyncHarness, query: dict[str, str], field: str
) -> None:
    response = api(sync, "GET", "/refreshes", query=query)
    assert response["statusCode"] == 400
    assert field in json_body(response)["error"]["fields"]


def test_a_sweep_whose_first_page_was_not_queued_blocks_nothing(
    sync: SyncHarness, bank: BankDataStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry(sync, bank, 2)
    routes = sync.api.sweep_routes

    def unavailable(message: dict[str, Any], delay: float = 0) -> None:
        raise ClientError({"Error": {"Code": "ServiceUnavailable"}}, "SendMessage")

    monkeypatch.setattr(routes.queue, "send", unavailable)
    refused = api(sync, "POST", "/sweeps")
    assert refused["statusCode"] == 503
    monkeypatch.undo()
    assert api(sync, "POST", "/sweeps")["statusCode"] == 202


def test_a_since_beyond_the_calendar_reads_as_its_first_or_last_instant(
    sync: SyncHarness,
) -> None:
    assert api(sync, "POST", "/refreshes", body={"account_id": "acct-0"})["statusCode"] == 202
    for since, listed in (("0001-01-01T00:00:00+01:00", 1), ("9999-12-31T23:59:59-01:00", 0)):
        response = api(sync, "GET", "/refreshes", query={"since": since})
        assert response["statusCode"] == 200
        assert len(json_body(response)["items"]) == listed
