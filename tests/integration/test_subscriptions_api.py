"""The subscriptions API through the handler, schedules in moto's EventBridge Scheduler."""

import base64
import json
from types import ModuleType
from typing import Any

import boto3
import pytest

from banksync.subscriptions.models import subscription_id_for
from devstack.template import StackTemplate
from tests.support.lambdas import cold_start, http_event, invoke, json_body
from tests.unit.test_subscription_rules import resolve

BODY: dict[str, Any] = {
    "customer": "6740a0e1b2c3d4e5f6000a01",
    "products": ["balance", "transactions"],
    "bank": "5d6fe57a4099cc4b210bbec0",
    "interval": "one_hour",
    "webhook_url": "https://hooks.example.com/okra",
}


@pytest.fixture
def api(stack: StackTemplate, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setattr("banksync.subscriptions.webhook_urls.resolve_host", resolve)
    return cold_start(stack, "SyncApiFunction", monkeypatch)


@pytest.fixture
def scheduler(aws: boto3.Session, stack: StackTemplate) -> Any:
    client = aws.client("scheduler")
    group = stack.refs["ScheduleGroup"]

    def schedule(name: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = dict(client.get_schedule(Name=name, GroupName=group))
        except client.exceptions.ResourceNotFoundException:
            return None
        return found

    return schedule


def call(api: ModuleType, method: str, path: str, body: Any = None, **query: str) -> Any:
    response = invoke(api, http_event(method, path, body, query or None))
    return response["statusCode"], json_body(response) if response.get("body") else None


def test_create_returns_the_secret_once_and_schedules_the_refresh(
    api: ModuleType, scheduler: Any, stack: StackTemplate
) -> None:
    status, created = call(api, "POST", "/subscriptions", BODY)
    assert status == 201
    assert created["signing_secret"].startswith("whsec_")
    assert created["state"] == "active"

    schedule = scheduler(created["subscription_id"])
    assert schedule["ScheduleExpression"] == "rate(1 hour)"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert schedule["State"] == "ENABLED"
    target = schedule["Target"]
    assert target["Arn"] == stack.attributes["DueRefreshQueue.Arn"]
    assert target["RoleArn"] == stack.attributes["SchedulerRole.Arn"]
    assert target["DeadLetterConfig"]["Arn"] == stack.attributes["ScheduleDeadLetterQueue.Arn"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 3
    assert json.loads(target["Input"]) == {"subscription_id": created["subscription_id"]}

    status, fetched = call(api, "GET", f"/subscriptions/{created['subscription_id']}")
    assert status == 200
    assert "signing_secret" not in fetched
    assert fetched["webhook_url"] == BODY["webhook_url"]


def test_reposting_replaces_and_keeps_the_secret_hidden(api: ModuleType, scheduler: Any) -> None:
    _, created = call(api, "POST", "/subscriptions", BODY)
    status, replaced = call(api, "POST", "/subscriptions", {**BODY, "interval": "daily"})
    assert status == 200
    assert replaced["subscription_id"] == created["subscription_id"]
    assert "signing_secret" not in replaced
    assert replaced["version"] == 2
    assert scheduler(created["subscription_id"])["ScheduleExpression"] == "rate(1 day)"


def test_pause_resume_and_delete_follow_the_schedule(api: ModuleType, scheduler: Any) -> None:
    _, created = call(api, "POST", "/subscriptions", BODY)
    sid = created["subscription_id"]

    status, paused = call(api, "POST", f"/subscriptions/{sid}/pause")
    assert (status, paused["state"], scheduler(sid)["State"]) == (200, "paused", "DISABLED")
    assert call(api, "POST", f"/subscriptions/{sid}/pause")[0] == 200  # idempotent
    status, resumed = call(api, "POST", f"/subscriptions/{sid}/resume")
    assert (status, resumed["state"], scheduler(sid)["State"]) == (200, "active", "ENABLED")

    assert call(api, "DELETE", f"/subscriptions/{sid}") == (204, None)
    assert scheduler(sid) is None
    assert call(api, "GET", f"/subscriptions/{sid}")[0] == 404


def test_listing_by_customer_pages_with_next_token(api: ModuleType) -> None:
    for bank in ("bank-a", "bank-b", "bank-c"):
        assert call(api, "POST", "/subscriptions", {**BODY, "bank": bank})[0] == 201
    call(api, "POST", "/subscriptions", {**BODY, "customer": "someone-else"})

    seen, token = [], None
    for _ in range(5):
        query = {
            "customer": BODY["customer"],
            "limit": "2",
            **({"next_token": token} if token else {}),
        }
        status, page = call(api, "GET", "/subscriptions", **query)
        assert status == 200
        seen += [s["bank"] for s in page["items"]]
        token = page.get("next_token")
        if not token:
            break
    assert sorted(seen) == ["bank-a", "bank-b", "bank-c"]
    _, everything = call(api, "GET", "/subscriptions")
    assert len(everything["items"]) == 4


def test_every_bad_field_is_named_at_once(api: ModuleType) -> None:
    status, body = call(
        api,
        "POST",
        "/subscriptions",
        {
            "products": ["identity"],
            "interval": "hourly",
            "webhook_url": "http://10.0.0.7/x",
            "colour": "blue",
        },
    )
    assert status == 400
    assert set(body["error"]["fields"]) == {
        "customer",
        "products.0",
        "interval",
        "webhook_url",
        "colour",
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"products": []}, "products"),
        ({"webhook_url": "https://metadata.example.com/"}, "webhook_url"),
        ({"webhook_url": "https://127.0.0.1/hook"}, "webhook_url"),
        ({"customer": ""}, "customer"),
    ],
)
def test_bad_subscriptions_are_400(api: ModuleType, changes: dict[str, Any], field: str) -> None:
    status, body = call(api, "POST", "/subscriptions", {**BODY, **changes})
    assert status == 400
    assert field in body["error"]["fields"]


@pytest.mark.parametrize(
    ("method", "suffix"), [("GET", ""), ("POST", "/pause"), ("POST", "/resume"), ("DELETE", "")]
)
def test_unknown_subscriptions_are_404(api: ModuleType, method: str, suffix: str) -> None:
    status, body = call(api, method, f"/subscriptions/sub_nope{suffix}")
    assert status == 404
    assert body["error"]["fields"] == {"subscription_id": "unknown"}


@pytest.mark.parametrize(
    "token",
    [
        "garbage!",
        base64.urlsafe_b64encode(b'{"pk": {"S": "x"}}').decode(),
        base64.urlsafe_b64encode(b'{"pk": {"N": "1"}}').decode(),
        base64.urlsafe_b64encode(b"[1]").decode(),
    ],
)
def test_bad_paging_parameters_are_400(api: ModuleType, token: str) -> None:
    assert call(api, "GET", "/subscriptions", limit="0")[1]["error"]["fields"].keys() == {"limit"}
    status, body = call(api, "GET", "/subscriptions", next_token=token)
    assert (status, set(body["error"]["fields"])) == (400, {"next_token"})


def test_overlapping_subscriptions_are_409(api: ModuleType) -> None:
    everything = {**BODY, "bank": None}
    del everything["bank"]
    assert call(api, "POST", "/subscriptions", everything)[0] == 201
    status, body = call(api, "POST", "/subscriptions", BODY)
    assert status == 409
    assert "bank" in body["error"]["fields"]


def failing_writes(api: ModuleType, operation: str) -> Any:
    client = api.subscription_service.store._client

    def fail(**_: Any) -> None:
        raise client.exceptions.InternalServerError(
            {"Error": {"Code": "InternalServerError", "Message": "boom"}}, operation
        )

    client.meta.events.register(f"before-call.dynamodb.{operation}", fail)
    return lambda: client.meta.events.unregister(f"before-call.dynamodb.{operation}", fail)


def test_a_failed_create_leaves_no_schedule_behind(api: ModuleType, scheduler: Any) -> None:
    restore = failing_writes(api, "TransactWriteItems")  # the subscription and its coverage
    try:
        status, _ = call(api, "POST", "/subscriptions", BODY)
    finally:
        restore()
    assert status == 503
    sid = subscription_id_for(BODY["customer"], BODY["bank"])
    assert api.subscription_service.store.get(sid) is None
    assert scheduler(sid) is None


def test_a_failed_pause_puts_the_schedule_back(api: ModuleType, scheduler: Any) -> None:
    _, created = call(api, "POST", "/subscriptions", BODY)
    restore = failing_writes(api, "PutItem")
    try:
        status, _ = call(api, "POST", f"/subscriptions/{created['subscription_id']}/pause")
    finally:
        restore()
    assert status == 503
    assert scheduler(created["subscription_id"])["State"] == "ENABLED"
    assert call(api, "GET", f"/subscriptions/{created['subscription_id']}")[1]["state"] == "active"


def test_a_conflicting_writer_never_has_its_schedule_undone(
    api: ModuleType, scheduler: Any
) -> None:
    _, created = call(api, "POST", "/subscriptions", BODY)
    service = api.subscription_service
    # Another writer resumes... no: pauses it first, between our read and our write.
    theirs = service.store.get(created["subscription_id"])
    real_save = service.store.save

    def save_after_them(subscription: Any, read_version: Any) -> None:
        paused = type(theirs)(**{**theirs.__dict__, "state": "paused", "version": 2})
        real_save(paused, 1)
        service.schedules.put(paused)
        real_save(subscription, read_version)  # ours now fails its version check

    service.store.save = save_after_them
    try:
        status, _ = call(api, "POST", "/subscriptions", {**BODY, "interval": "daily"})
    finally:
        service.store.save = real_save
    assert status == 409
    stored = service.store.get(created["subscription_id"])
    assert stored.state == "paused"
    schedule = scheduler(created["subscription_id"])
    assert (schedule["State"], schedule["ScheduleExpression"]) == ("DISABLED", "rate(1 hour)")


def test_a_failed_delete_keeps_the_schedule(api: ModuleType, scheduler: Any) -> None:
    _, created = call(api, "POST", "/subscriptions", BODY)
    restore = failing_writes(api, "TransactWriteItems")
    try:
        status, _ = call(api, "DELETE", f"/subscriptions/{created['subscription_id']}")
    finally:
        restore()
    assert status == 503
    assert scheduler(created["subscription_id"]) is not None


def test_two_overlapping_creates_that_interleave_end_in_one_subscription(
    api: ModuleType, scheduler: Any
) -> None:
    service = api.subscription_service
    real_save = service.store.save
    everything = {k: v for k, v in BODY.items() if k != "bank"}
    answers: list[Any] = []

    def the_other_request_first(subscription: Any, read_version: Any) -> None:
        # Both requests have passed the read-side overlap check: neither saw the other.
        if not answers:
            service.store.save = real_save
            answers.append(call(api, "POST", "/subscriptions", BODY))
        real_save(subscription, read_version)

    service.store.save = the_other_request_first
    try:
        status, body = call(api, "POST", "/subscriptions", everything)
    finally:
        service.store.save = real_save
    assert answers[0][0] == 201
    assert (status, body["error"]["code"]) == (409, "conflict")
    assert "bank" in body["error"]["fields"]
    everything_id = subscription_id_for(BODY["customer"], None)
    assert service.store.get(everything_id) is None
    assert scheduler(everything_id) is None
    # Once the one-bank subscription is gone, the customer may cover all banks.
    assert call(api, "DELETE", f"/subscriptions/{answers[0][1]['subscription_id']}")[0] == 204
    assert call(api, "POST", "/subscriptions", everything)[0] == 201
    assert call(api, "POST", "/subscriptions", BODY)[0] == 409


def test_a_firing_that_overlaps_a_pause_never_re_enables_the_schedule(
    api: ModuleType, scheduler: Any
) -> None:
    _, created = call(api, "POST", "/subscriptions", BODY)
    sid = created["subscription_id"]
    service = api.subscription_service
    real_get = service.store.get
    paused: list[Any] = []

    def pause_right_after_the_first_read(subscription_id: str) -> Any:
        found = real_get(subscription_id)
        if not paused:  # the firing has read "active"; the pause runs to its end now
            service.store.get = real_get
            paused.append(call(api, "POST", f"/subscriptions/{sid}/pause"))
        return found

    # The firing's repair: the schedule looks wrong to it (another interval).
    client = api.subscription_service.schedules._client
    group = api.subscription_service.schedules._target.group_name
    current = client.get_schedule(Name=sid, GroupName=group)
    client.update_schedule(
        **{k: current[k] for k in ("Name", "GroupName", "Target", "FlexibleTimeWindow")},
        ScheduleExpression="rate(5 minutes)",
        State="ENABLED",
    )
    service.store.get = pause_right_after_the_first_read
    try:
        service.reconcile(sid)
    finally:
        service.store.get = real_get
    assert paused[0][0] == 200
    assert real_get(sid).state == "paused"
    schedule = scheduler(sid)
    assert (schedule["State"], schedule["ScheduleExpression"]) == ("DISABLED", "rate(1 hour)")
