"""A delivery follows its subscription, against a real receiver on loopback, on virtual
time: each attempt to the current webhook_url, a paused or deleted subscription ends
its pending deliveries with a reason, a pending delivery replayed now."""

import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from banksync.delivery.sender import WebhookSender
from tests.support.delivery import Delivering, LoopbackReceiver, refreshed_subscription


@pytest.fixture
def receiver(delivering: Delivering, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackReceiver]:
    receiver = LoopbackReceiver().start()
    deliverer = delivering.deliverer.deliverer
    deliverer.allow_loopback_http = True
    deliverer.sender = WebhookSender(timeout=0.5)
    api = delivering.sync.api
    monkeypatch.setattr(api, "settings", replace(api.settings, allow_loopback_webhooks=True))
    api.delivery_routes.replays.clock = delivering.sync.refresh.now
    api.subscription_service.clock = delivering.sync.refresh.now
    yield receiver
    receiver.stop()


def closed_port_url() -> str:
    """A loopback URL nothing listens on: every POST is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/banksync"


def point(delivering: Delivering, url: str) -> None:
    """The README's move: the subscription POSTed again with another webhook_url."""
    body = {"customer": "cust-1", "products": ["balance"], "webhook_url": url}
    status, answer, _ = delivering.api("POST", "/subscriptions", body)
    assert status == 200, answer


def delivery(delivering: Delivering, sid: str) -> dict[str, Any]:
    (found,) = delivering.deliveries(sid)
    status, detail, _ = delivering.api("GET", f"/deliveries/{found.delivery_id}")
    assert status == 200, detail
    return dict(detail)


def test_each_attempt_goes_to_the_subscriptions_url_as_it_is_then(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    dead = closed_port_url()
    sid = refreshed_subscription(delivering, ["balance"], dead)
    delivering.deliver_once()
    failed = delivery(delivering, sid)
    assert (failed["status"], failed["last_attempt"]["error_class"]) == ("pending", "connect")

    point(delivering, receiver.hook_url)
    delivering.deliver_until_done()

    done = delivery(delivering, sid)
    assert (done["status"], done["attempt_count"]) == ("delivered", 2)
    assert len(receiver.received) == 1
    receiver.verify(delivering.subscriber.secret)
    assert done["webhook_url"] == receiver.hook_url  # where its last attempt went


def test_a_rotated_secret_signs_the_next_attempt_of_a_pending_delivery(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    receiver.script = [(500, {})]
    sid = refreshed_subscription(delivering, ["balance"], receiver.hook_url)
    delivering.deliver_once()
    status, rotated, _ = delivering.api(
        "POST", f"/subscriptions/{sid}/rotate-secret", {"overlap_hours": 0}
    )
    assert status == 200
    delivering.deliver_until_done()
    assert delivery(delivering, sid)["status"] == "delivered"
    receiver.verify(rotated["signing_secret"])


@pytest.mark.parametrize(
    ("method", "path", "reason"),
    [
        ("POST", "/subscriptions/{sid}/pause", "the subscription was paused"),
        ("DELETE", "/subscriptions/{sid}", "the subscription was deleted"),
    ],
)
def test_pausing_or_deleting_ends_pending_deliveries_at_once_with_the_reason(
    delivering: Delivering, receiver: LoopbackReceiver, method: str, path: str, reason: str
) -> None:
    receiver.script = [(500, {}), (500, {})]
    sid = refreshed_subscription(delivering, ["balance", "transactions"], receiver.hook_url)
    delivering.deliver_once()
    assert {d.status for d in delivering.deliveries(sid)} == {"pending"}

    assert delivering.api(method, path.format(sid=sid))[0] in (200, 204)
    for found in delivering.deliveries(sid):
        status, detail, _ = delivering.api("GET", f"/deliveries/{found.delivery_id}")
        assert status == 200
        assert (detail["status"], detail["reason"]) == ("abandoned", reason)
        assert "next_attempt_at" not in detail
        assert "finished_at" in detail
    delivering.deliver_until_done()
    assert len(receiver.received) == 2  # the two first attempts, nothing after
    assert {d.attempt_count for d in delivering.deliveries(sid)} == {1}


def test_the_deliverer_stops_what_the_api_did_not_reach(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    """A delivery the pause did not stop (a replayed old one, a failed write) ends at its
    next attempt, with no POST."""
    receiver.script = [(500, {})]
    sid = refreshed_subscription(delivering, ["balance"], receiver.hook_url)
    delivering.deliver_once()
    delivering.sync.api.subscription_service.halt = None
    assert delivering.api("POST", f"/subscriptions/{sid}/pause")[0] == 200
    assert delivery(delivering, sid)["status"] == "pending"

    delivering.deliver_until_done()
    stopped = delivery(delivering, sid)
    assert (stopped["status"], stopped["reason"]) == ("abandoned", "the subscription was paused")
    assert stopped["attempt_count"] == 1  # stopping is no attempt
    assert len(receiver.received) == 1


def test_a_refresh_that_ends_while_paused_is_recorded_unsent_until_recovered(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    started = delivering.sync.refresh.now()

    def pause(sid: str) -> None:
        assert delivering.api("POST", f"/subscriptions/{sid}/pause")[0] == 200

    sid = refreshed_subscription(delivering, ["balance"], receiver.hook_url, before_end=pause)
    delivering.deliver_until_done()
    unsent = delivery(delivering, sid)
    assert (unsent["status"], unsent["reason"]) == ("abandoned", "the subscription was paused")
    assert (unsent["attempt_count"], receiver.received) == (0, [])

    window = {"since": started.isoformat()}
    status, refused, _ = delivering.api("POST", f"/subscriptions/{sid}/recover", window)
    assert (status, refused["error"]["code"]) == (409, "subscription_paused")
    assert delivering.api("POST", f"/subscriptions/{sid}/resume")[0] == 200
    status, recovered, _ = delivering.api("POST", f"/subscriptions/{sid}/recover", window)
    assert (status, recovered["queued"]) == (202, 1)
    delivering.deliver_until_done()
    assert delivery(delivering, sid)["status"] == "delivered"
    assert len(receiver.received) == 1


def test_a_pending_delivery_is_replayed_now_once(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    receiver.script = [(503, {"Retry-After": "3600"})]
    sid = refreshed_subscription(delivering, ["balance"], receiver.hook_url)
    delivering.deliver_once()
    waiting = delivery(delivering, sid)
    did, was_due = waiting["delivery_id"], waiting["next_attempt_at"]
    now = delivering.sync.refresh.now()
    assert datetime.fromisoformat(was_due) - now == timedelta(hours=1)

    key = {"idempotency-key": "replay-now-1"}
    status, first, headers = delivering.api("POST", f"/deliveries/{did}/retry", headers=key)
    assert (status, first["queued"], first["status"], first["chain"]) == (202, 1, "pending", 1)
    assert datetime.fromisoformat(first["next_attempt_at"]) == now
    assert headers["Location"].endswith(f"/deliveries/{did}")
    assert delivering.api("POST", f"/deliveries/{did}/retry", headers=key)[:2] == (202, first)
    again = delivering.api("POST", f"/deliveries/{did}/retry")  # no key: already due, unchanged
    assert (again[0], again[1]["next_attempt_at"]) == (202, first["next_attempt_at"])
    moved = delivery(delivering, sid)
    assert moved["next_attempt_at"] == first["next_attempt_at"]
    assert moved["replayed_at"] == first["next_attempt_at"]

    # The message waiting for the old time arrives while the replay's is in flight:
    # it stands down, so the attempt is made once.
    stale = {"subscription_id": sid, "delivery_id": did, "attempt": 1, "due": was_due}
    delivering.deliverer.deliverer.handle(stale)
    assert len(receiver.received) == 1

    delivering.deliver_until_done()
    done = delivery(delivering, sid)
    assert (done["status"], done["attempt_count"], done["chain"]) == ("delivered", 2, 1)
    assert datetime.fromisoformat(done["attempts"][-1]["at"]) < datetime.fromisoformat(was_due)
    assert len(receiver.received) == 2


def test_replaying_a_pending_delivery_of_a_paused_subscription_is_refused(
    delivering: Delivering, receiver: LoopbackReceiver
) -> None:
    receiver.script = [(500, {})]
    sid = refreshed_subscription(delivering, ["balance"], receiver.hook_url)
    delivering.deliver_once()
    did = delivery(delivering, sid)["delivery_id"]
    delivering.sync.api.subscription_service.halt = None  # left pending by the pause
    assert delivering.api("POST", f"/subscriptions/{sid}/pause")[0] == 200
    status, refused, _ = delivering.api("POST", f"/deliveries/{did}/retry")
    assert (status, refused["error"]["code"]) == (409, "subscription_paused")
    assert "subscription_id" in refused["error"]["fields"]


def test_one_batch_reads_a_subscription_once_while_its_deliveries_succeed(
    delivering: Delivering, receiver: LoopbackReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = refreshed_subscription(delivering, ["balance", "transactions"], receiver.hook_url)
    store = delivering.deliverer.deliverer.subscriptions
    reads: list[str] = []
    real_get = store.get

    def counted(subscription_id: str) -> Any:
        reads.append(subscription_id)
        return real_get(subscription_id)

    monkeypatch.setattr(store, "get", counted)
    delivering.deliver_once()
    assert {d.status for d in delivering.deliveries(sid)} == {"delivered"}
    assert reads == [sid]


def test_an_attempt_under_way_when_the_subscription_is_paused_is_still_logged(
    delivering: Delivering, receiver: LoopbackReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver.script = [(500, {})]
    sid = refreshed_subscription(delivering, ["balance"], receiver.hook_url)
    sender = delivering.deliverer.deliverer.sender
    real_send = sender.send

    def paused_meanwhile(*args: Any, **kwargs: Any) -> dict[str, Any]:
        answer: dict[str, Any] = real_send(*args, **kwargs)
        assert delivering.api("POST", f"/subscriptions/{sid}/pause")[0] == 200
        return answer

    monkeypatch.setattr(sender, "send", paused_meanwhile)
    delivering.deliver_until_done()

    logged = delivery(delivering, sid)
    assert (logged["status"], logged["reason"]) == ("abandoned", "the subscription was paused")
    assert [a["status_code"] for a in logged["attempts"]] == [500]
    assert len(receiver.received) == 1


def test_a_replay_that_cannot_be_queued_leaves_the_next_attempt_where_it_was(
    delivering: Delivering, receiver: LoopbackReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver.script = [(500, {})]
    sid = refreshed_subscription(delivering, ["balance"], receiver.hook_url)
    delivering.deliver_once()
    waiting = delivery(delivering, sid)

    def unavailable(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("SQS unavailable")

    monkeypatch.setattr(delivering.sync.api.delivery_routes.replays.queue, "send", unavailable)
    status, refused, _ = delivering.api("POST", f"/deliveries/{waiting['delivery_id']}/retry")
    assert (status, refused["error"]["code"]) == (503, "unavailable")
    after = delivery(delivering, sid)
    assert after["next_attempt_at"] == waiting["next_attempt_at"]
    assert "replayed_at" not in after

    delivering.deliver_until_done()  # the message waiting for that time still makes it
    assert delivery(delivering, sid)["status"] == "delivered"
    assert len(receiver.received) == 2
