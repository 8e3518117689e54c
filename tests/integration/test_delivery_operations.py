"""Operating deliveries against a real receiver on loopback, on virtual time: the attempt
log, Retry-After, 410, the stop header, hangs and resets, replays, recovery, endpoint
health, throttling and secret rotation."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise
from typing import Any

import pytest
from standardwebhooks import WebhookVerificationError

from banksync.delivery.sender import WebhookSender
from devstack.http_api import routes_of
from tests.support.delivery import Delivering, LoopbackReceiver, refreshed_subscription

pytestmark = pytest.mark.usefixtures("loopback")


@pytest.fixture
def loopback(delivering: Delivering, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackReceiver]:
    receiver = LoopbackReceiver().start()
    deliverer = delivering.deliverer.deliverer
    deliverer.allow_loopback_http = True
    # A hang is given up after half a second instead of 10: the wait is accelerated.
    deliverer.sender = WebhookSender(timeout=0.5)
    api = delivering.sync.api
    monkeypatch.setattr(api, "settings", replace(api.settings, allow_loopback_webhooks=True))
    api.delivery_routes.replays.clock = delivering.sync.refresh.now
    api.subscription_service.clock = delivering.sync.refresh.now
    yield receiver
    receiver.stop()


@pytest.fixture
def receiver(loopback: LoopbackReceiver) -> LoopbackReceiver:
    return loopback


def subscribed(delivering: Delivering, receiver: LoopbackReceiver, **fields: Any) -> str:
    products = fields.pop("products", ["balance"])
    return refreshed_subscription(delivering, products, receiver.hook_url, **fields)


def only_delivery(delivering: Delivering, sid: str) -> dict[str, Any]:
    status, page, _ = delivering.api("GET", f"/subscriptions/{sid}/deliveries")
    assert status == 200, page
    (item,) = page["items"]
    status, detail, _ = delivering.api("GET", f"/deliveries/{item['delivery_id']}")
    assert status == 200, detail
    return dict(detail)


def gaps(detail: dict[str, Any]) -> list[float]:
    times = [datetime.fromisoformat(a["at"]) for a in detail["attempts"]]
    return [(b - a).total_seconds() for a, b in pairwise(times)]


def test_the_attempt_log_tells_why_and_when(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    receiver.script = [(503, {}), (500, {})]
    sid = subscribed(delivering, receiver)
    delivering.deliver_until_done()

    status, page, _ = delivering.api("GET", f"/subscriptions/{sid}/deliveries")
    assert status == 200
    (item,) = page["items"]
    assert (item["status"], item["attempt_count"], item["event_type"]) == (
        "delivered",
        3,
        "balance.succeeded",
    )
    assert item["webhook_id"] == item["delivery_id"]
    detail = only_delivery(delivering, sid)
    assert [a.get("status_code") for a in detail["attempts"]] == [503, 500, 200]
    assert all(isinstance(a["latency_ms"], int) and a["chain"] == 1 for a in detail["attempts"])
    assert detail["source"]["account_id"] == "acct-1"
    assert "payload" not in detail  # no bank data in the log
    assert gaps(detail) == [60, 60]

    for query, count in (({"status": "delivered"}, 1), ({"status": "abandoned"}, 0)):
        _, narrowed, _ = delivering.api("GET", f"/subscriptions/{sid}/deliveries", query=query)
        assert len(narrowed["items"]) == count
    later = {"since": "2100-01-01T00:00:00Z"}
    assert delivering.api("GET", f"/subscriptions/{sid}/deliveries", query=later)[1]["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"since": "yesterday"}, "since"),
        ({"limit": "0"}, "limit"),
        ({"next_token": "garbage!"}, "next_token"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_listing_parameters_are_400s_naming_them(
    delivering: Delivering, receiver: LoopbackReceiver, query: dict[str, str], field: str
) -> None:
    sid = delivering.sync.subscribe({"customer": "c-1", "products": ["balance"]})["subscription_id"]
    status, answer, _ = delivering.api("GET", f"/subscriptions/{sid}/deliveries", query=query)
    assert status == 400
    assert field in answer["error"]["fields"]


def test_unknown_ids_are_404s(delivering: Delivering) -> None:
    assert delivering.api("GET", "/deliveries/msg_nope")[0] == 404
    assert delivering.api("GET", "/subscriptions/sub_nope/deliveries")[0] == 404
    assert delivering.api("POST", "/deliveries/msg_nope/retry")[0] == 404


def test_a_delivery_stored_before_the_keys_only_index_is_still_found_by_id(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    """Deliveries created before gsi3 carry their id key on gsi2 only."""
    sid = subscribed(delivering, receiver)
    delivering.deliver_until_done()
    (delivery,) = delivering.deliveries(sid)
    client = delivering.sync.aws.client("dynamodb")
    table = delivering.sync.stack.refs["DataTable"]
    key = {"pk": {"S": f"SUBSCRIPTION#{sid}"}, "sk": {"S": f"DELIVERY#{delivery.delivery_id}"}}
    client.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET gsi2pk = gsi3pk, gsi2sk = gsi3sk REMOVE gsi3pk, gsi3sk",
    )
    status, detail, _ = delivering.api("GET", f"/deliveries/{delivery.delivery_id}")
    assert (status, detail["status"], detail["subscription_id"]) == (200, "delivered", sid)


def test_retry_after_in_seconds_and_as_an_http_date_is_waited_for(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    # An HTTP-date names a moment (whole seconds, GMT): the attempt is made at it.
    asked_for = (delivering.sync.refresh.now() + timedelta(seconds=2000)).replace(microsecond=0)
    receiver.script = [
        (429, {"Retry-After": "300"}),
        (503, {"Retry-After": format_datetime(asked_for, usegmt=True)}),
        (429, {"Retry-After": "5"}),  # shorter than the schedule: the minute wins
    ]
    sid = subscribed(delivering, receiver)
    delivering.deliver_until_done(step=30)

    detail = only_delivery(delivering, sid)
    assert detail["status"] == "delivered"
    assert gaps(detail)[0] == 300
    # Not before it; the pump moves time in 30 s steps.
    late = datetime.fromisoformat(detail["attempts"][2]["at"]) - asked_for
    assert timedelta(0) <= late < timedelta(seconds=30)
    assert gaps(detail)[2] == 60
    assert detail["attempts"][0]["retry_after"] == "300"


def test_retry_after_never_reaches_past_the_150_minute_window(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    receiver.script = [(503, {"Retry-After": "86400"}), (503, {})]
    sid = subscribed(delivering, receiver)
    delivering.deliver_until_done(step=300)

    detail = only_delivery(delivering, sid)
    # Past SQS's 15-minute delay the wait travels in the message: still one attempt.
    assert gaps(detail) == [150 * 60]
    assert (detail["status"], detail["reason"]) == ("abandoned", "no 2xx within 150 minutes")


def test_a_410_turns_the_webhook_off_until_resumed_then_the_window_is_recovered(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    started = delivering.sync.refresh.now()
    receiver.script = [(410, {})]
    sid = subscribed(delivering, receiver, products=["balance", "transactions"])
    delivering.deliver_until_done()

    assert len(receiver.received) == 1  # the other notification was never sent
    _, subscription, _ = delivering.api("GET", f"/subscriptions/{sid}")
    assert subscription["webhook_state"] == "disabled"
    assert "410 Gone" in subscription["webhook_disabled_reason"]
    _, page, _ = delivering.api("GET", f"/subscriptions/{sid}/deliveries")
    assert {item["status"] for item in page["items"]} == {"abandoned"}
    assert all("410 Gone" in item["reason"] for item in page["items"])
    _, off, _ = delivering.api("GET", "/subscriptions", query={"webhook_state": "disabled"})
    assert [s["subscription_id"] for s in off["items"]] == [sid]

    window = {"since": started.isoformat()}
    status, refused, _ = delivering.api("POST", f"/subscriptions/{sid}/recover", window)
    assert (status, refused["error"]["code"]) == (409, "webhook_disabled")

    status, resumed, _ = delivering.api("POST", f"/subscriptions/{sid}/resume")
    assert (status, resumed["webhook_state"]) == (200, "enabled")
    assert "webhook_disabled_reason" not in resumed
    headers = {"idempotency-key": "recover-1"}
    status, recovered, _ = delivering.api(
        "POST", f"/subscriptions/{sid}/recover", window, headers=headers
    )
    assert (status, recovered["queued"], recovered["more"]) == (202, 2, False)
    again = delivering.api("POST", f"/subscriptions/{sid}/recover", window, headers=headers)
    assert again[:2] == (202, recovered)  # the same key answers the first result
    delivering.deliver_until_done()

    _, page, _ = delivering.api("GET", f"/subscriptions/{sid}/deliveries")
    assert {item["status"] for item in page["items"]} == {"delivered"}
    assert len(receiver.received) == 3
    status, nothing, _ = delivering.api("POST", f"/subscriptions/{sid}/recover", window)
    assert (status, nothing["queued"]) == (202, 0)


def test_the_stop_header_ends_the_retries_of_one_message(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    receiver.script = [(500, {}), (422, {"banksync-stop-retries": "true"})]
    sid = subscribed(delivering, receiver)
    delivering.deliver_until_done()

    detail = only_delivery(delivering, sid)
    assert (detail["status"], detail["attempt_count"]) == ("stopped", 2)
    assert "banksync-stop-retries" in detail["reason"]
    _, subscription, _ = delivering.api("GET", f"/subscriptions/{sid}")
    assert subscription["webhook_state"] == "enabled"  # one message, not the endpoint


def test_hangs_and_resets_are_recorded_by_error_class_and_retried(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    receiver.script = ["hang", "reset"]
    sid = subscribed(delivering, receiver)
    delivering.deliver_until_done()

    detail = only_delivery(delivering, sid)
    attempts = detail["attempts"]
    assert [a.get("error_class") for a in attempts] == ["timeout", "network", None]
    assert attempts[0]["error"] == "no answer within 0.5 s"
    assert attempts[2]["status_code"] == 200
    assert gaps(detail) == [60, 60]


def test_a_delivered_message_is_replayed_with_the_same_webhook_id(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    sid = subscribed(delivering, receiver)
    delivering.deliver_until_done()
    (delivery_id,) = {r["headers"]["Webhook-Id"] for r in receiver.received}

    key = {"idempotency-key": "replay-1"}
    status, first, headers = delivering.api("POST", f"/deliveries/{delivery_id}/retry", headers=key)
    assert (status, first["queued"], first["chain"]) == (202, 1, 2)
    assert headers["Location"].endswith(f"/deliveries/{delivery_id}")
    assert delivering.api("POST", f"/deliveries/{delivery_id}/retry", headers=key)[:2] == (
        202,
        first,
    )
    # Without a key, a second replay while the first is due changes nothing.
    status, pending, _ = delivering.api("POST", f"/deliveries/{delivery_id}/retry")
    assert (status, pending["chain"], pending["queued"]) == (202, 2, 1)
    delivering.deliver_until_done()

    assert [r["headers"]["Webhook-Id"] for r in receiver.received] == [delivery_id] * 2
    assert receiver.received[0]["body"] == receiver.received[1]["body"]
    detail = only_delivery(delivering, sid)
    assert (detail["status"], detail["chain"]) == ("delivered", 2)
    assert [a["chain"] for a in detail["attempts"]] == [1, 2]


def test_an_abandoned_message_is_replayed_in_a_new_150_minute_window(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    receiver.script = [(500, {})] * 151
    sid = subscribed(delivering, receiver)
    delivering.deliver_until_done()
    detail = only_delivery(delivering, sid)
    assert (detail["status"], detail["attempt_count"]) == ("abandoned", 151)

    delivering.sync.refresh.clock.advance(3600)
    receiver.script = [(500, {}), (204, {})]
    status, answer, _ = delivering.api("POST", f"/deliveries/{detail['delivery_id']}/retry")
    assert (status, answer["queued"]) == (202, 1)
    delivering.deliver_until_done()

    detail = only_delivery(delivering, sid)
    assert (detail["status"], detail["attempt_count"]) == ("delivered", 153)
    assert [a.get("status_code") for a in detail["attempts"][-2:]] == [500, 204]
    assert "reason" not in detail


def test_replays_are_rate_limited_per_subscription(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    delivering.sync.api.delivery_routes.replays.per_minute = 1
    sid = subscribed(delivering, receiver)
    delivering.deliver_until_done()
    delivery_id = only_delivery(delivering, sid)["delivery_id"]

    assert delivering.api("POST", f"/deliveries/{delivery_id}/retry")[0] == 202
    delivering.deliver_until_done(step=1)
    status, refused, headers = delivering.api("POST", f"/deliveries/{delivery_id}/retry")
    assert (status, refused["error"]["code"]) == (429, "rate_limited")
    assert 1 <= int(headers["Retry-After"]) <= 60
    delivering.sync.refresh.clock.advance(int(headers["Retry-After"]))
    assert delivering.api("POST", f"/deliveries/{delivery_id}/retry")[0] == 202


def test_recover_bodies_are_checked(delivering: Delivering, receiver: LoopbackReceiver) -> None:
    sid = subscribed(delivering, receiver)
    for body, field in (
        ({}, "since"),
        ({"since": "soon"}, "since"),
        ({"since": "2026-12-02T00:00:00Z", "until": "2026-12-01T00:00:00Z"}, "until"),
        ({"since": "2026-12-01T00:00:00Z", "from": 1}, "from"),
    ):
        status, answer, _ = delivering.api("POST", f"/subscriptions/{sid}/recover", body)
        assert (status, list(answer["error"]["fields"])) == (400, [field]), body


def test_an_endpoint_failing_for_five_days_is_marked_failing_until_resumed(
    delivering: Delivering, receiver: LoopbackReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[str] = []
    monkeypatch.setattr(
        "banksync.delivery.health.metrics.add_metric",
        lambda name, unit, value: counted.append(name),
    )
    # One failed attempt (the stop header ends its chain there) starts the record.
    receiver.script = [(500, {"banksync-stop-retries": "true"})]
    sid = subscribed(delivering, receiver)
    delivering.deliver_until_done()
    detail = only_delivery(delivering, sid)
    _, subscription, _ = delivering.api("GET", f"/subscriptions/{sid}")
    assert subscription["webhook_failing_since"] == detail["first_attempt_at"]
    assert subscription["webhook_state"] == "enabled"

    delivering.sync.refresh.clock.advance(5 * 24 * 3600 - 60)
    receiver.script = [(500, {"banksync-stop-retries": "true"})]
    delivering.api("POST", f"/deliveries/{detail['delivery_id']}/retry")
    delivering.deliver_until_done()
    _, subscription, _ = delivering.api("GET", f"/subscriptions/{sid}")
    assert subscription["webhook_state"] == "enabled"  # a minute short of 5 days

    delivering.sync.refresh.clock.advance(60)
    receiver.script = [(500, {})]
    delivering.api("POST", f"/deliveries/{detail['delivery_id']}/retry")
    delivering.deliver_until_done()

    detail = only_delivery(delivering, sid)
    assert detail["status"] == "abandoned"
    assert detail["reason"].startswith("the subscription's webhook is failing")
    assert counted.count("WebhookEndpointFailing") == 1
    _, failing, _ = delivering.api("GET", "/subscriptions", query={"webhook_state": "failing"})
    assert [s["subscription_id"] for s in failing["items"]] == [sid]

    status, resumed, _ = delivering.api("POST", f"/subscriptions/{sid}/resume")
    assert (status, resumed["webhook_state"]) == (200, "enabled")
    assert "webhook_failing_since" not in resumed
    delivering.api("POST", f"/deliveries/{detail['delivery_id']}/retry")
    delivering.deliver_until_done()
    assert only_delivery(delivering, sid)["status"] == "delivered"


def test_a_success_clears_the_failing_record(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    receiver.script = [(500, {})]
    sid = subscribed(delivering, receiver)
    delivering.deliver_until_done()
    _, subscription, _ = delivering.api("GET", f"/subscriptions/{sid}")
    assert "webhook_failing_since" not in subscription


def test_the_throttle_spaces_one_subscriptions_deliveries(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    sid = subscribed(
        delivering, receiver, products=["balance", "transactions"], webhook_rate_per_second=1
    )
    delivering.deliver_until_done(step=1)

    _, page, _ = delivering.api("GET", f"/subscriptions/{sid}/deliveries")
    firsts = sorted(datetime.fromisoformat(item["last_attempt"]["at"]) for item in page["items"])
    assert len(firsts) == 2
    assert (firsts[1] - firsts[0]).total_seconds() >= 1
    assert {item["attempt_count"] for item in page["items"]} == {1}  # waiting is no attempt


def test_a_rotated_secret_signs_beside_the_old_one_for_the_overlap(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    sid = subscribed(delivering, receiver)
    old = delivering.subscriber.secret
    delivering.deliver_until_done()
    receiver.verify(old)
    delivery_id = only_delivery(delivering, sid)["delivery_id"]

    status, rotated, headers = delivering.api("POST", f"/subscriptions/{sid}/rotate-secret")
    assert (status, headers["Cache-Control"]) == (200, "no-store")
    new = rotated["signing_secret"]
    assert new.startswith("whsec_")
    assert new != old
    expires = datetime.fromisoformat(rotated["previous_secret_expires_at"])
    assert expires - delivering.sync.refresh.now() == timedelta(hours=24)
    _, shown, _ = delivering.api("GET", f"/subscriptions/{sid}")
    assert not any("secret" in name and name.endswith("secret") for name in shown)

    delivering.api("POST", f"/deliveries/{delivery_id}/retry")
    delivering.deliver_until_done()
    signatures = receiver.received[-1]["headers"]["Webhook-Signature"].split(" ")
    assert len(signatures) == 2
    receiver.verify(old)  # a receiver not yet moved on
    receiver.verify(new)  # one that has

    delivering.sync.refresh.clock.advance(24 * 3600 + 1)
    delivering.api("POST", f"/deliveries/{delivery_id}/retry")
    delivering.deliver_until_done()
    assert len(receiver.received[-1]["headers"]["Webhook-Signature"].split(" ")) == 1
    receiver.verify(new)
    with pytest.raises(WebhookVerificationError):
        receiver.verify(old)


def test_rotation_without_overlap_and_bad_overlaps(
    delivering: Delivering, receiver: LoopbackReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = subscribed(delivering, receiver)
    old = delivering.subscriber.secret
    status, rotated, _ = delivering.api(
        "POST", f"/subscriptions/{sid}/rotate-secret", {"overlap_hours": 0}
    )
    assert status == 200
    assert "previous_secret_expires_at" not in rotated
    # The secret is in the answer only: not in any table, not in the logs.
    dynamodb, refs = delivering.sync.aws.client("dynamodb"), delivering.sync.stack.refs
    for table in ("DataTable", "IdempotencyTable"):
        items = dynamodb.scan(TableName=refs[table])["Items"]
        assert rotated["signing_secret"] not in str(items)
    assert rotated["signing_secret"] not in capsys.readouterr().out
    delivering.deliver_until_done()
    receiver.verify(rotated["signing_secret"])
    with pytest.raises(WebhookVerificationError):
        receiver.verify(old)
    for bad in (-1, 169, "24", True, 1.5):
        status, answer, _ = delivering.api(
            "POST", f"/subscriptions/{sid}/rotate-secret", {"overlap_hours": bad}
        )
        assert (status, list(answer["error"]["fields"])) == (400, ["overlap_hours"])
    assert delivering.api("POST", "/subscriptions/sub_nope/rotate-secret")[0] == 404


def test_every_item_written_names_its_entity_and_schema_version(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    sid = subscribed(delivering, receiver, webhook_rate_per_second=5)
    delivering.deliver_until_done()
    delivering.api("POST", f"/deliveries/{only_delivery(delivering, sid)['delivery_id']}/retry")
    delivering.deliver_until_done()

    table = delivering.sync.stack.refs["DataTable"]
    items = delivering.sync.aws.client("dynamodb").scan(TableName=table)["Items"]
    kinds = ("SUBSCRIPTION", "DELIVERY", "THROTTLE", "REPLAYS", "COVERAGE")
    entities = {
        (
            item["sk"]["S"].split("#")[0],
            item.get("entity", {}).get("S"),
            item.get("schema_version", {}).get("N"),
        )
        for item in items
        if item["sk"]["S"].split("#")[0] in kinds
    }
    assert entities == {
        ("SUBSCRIPTION", "subscription", "1"),
        ("DELIVERY", "delivery", "1"),
        ("THROTTLE", "throttle_window", "1"),
        ("REPLAYS", "replays_window", "1"),
        ("COVERAGE", "coverage", "1"),
    }


def test_thin_payloads_carry_ids_and_the_resource_to_fetch(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    sid = subscribed(
        delivering, receiver, products=["balance", "transactions"], webhook_payload="thin"
    )
    delivering.deliver_until_done()

    secret = delivering.subscriber.secret
    payloads = {p["type"]: p["data"] for p in (receiver.verify(secret, i) for i in range(2))}
    balance, transactions = payloads["balance.succeeded"], payloads["transactions.succeeded"]
    assert "balance" not in balance
    assert "transactions" not in transactions
    assert (balance["subscription_id"], balance["account_id"]) == (sid, "acct-1")
    assert balance["resource_url"] == "/accounts/acct-1/balances"
    assert transactions["resource_url"] == "/accounts/acct-1/transactions"
    # Paths the API serves.
    routes = {route.key for route in routes_of(delivering.sync.stack)}
    assert {
        "GET /accounts/{account_id}/balances",
        "GET /accounts/{account_id}/transactions",
    } <= routes
    _, shown, _ = delivering.api("GET", f"/subscriptions/{sid}")
    assert shown["webhook_payload"] == "thin"
