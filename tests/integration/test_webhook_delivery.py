"""Outbound webhooks: signed, retried a minute apart until 2xx, abandoned after 150 minutes."""

import json
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
import pytest

from tests.support.delivery import Delivering, refreshed_subscription


def test_results_reach_the_subscriber_signed(delivering: Delivering) -> None:
    sid = refreshed_subscription(delivering, ["balance", "transactions"])
    delivering.deliver_until_done()

    received = {r["payload"]["type"]: r for r in delivering.subscriber.received}
    assert set(received) == {"balance.succeeded", "transactions.succeeded"}
    balance = received["balance.succeeded"]["payload"]["data"]
    assert (balance["customer"], balance["account_id"], balance["product"]) == (
        "cust-1",
        "acct-1",
        "balance",
    )
    assert balance["balance"]["ledger_balance"] > 0
    assert balance["record"]
    transactions = received["transactions.succeeded"]["payload"]["data"]["transactions"]
    assert transactions == {"new": 15, "updated": 0}
    headers = received["balance.succeeded"]["headers"]
    assert headers["webhook-id"].startswith("msg_")
    # Pinned: sent to the address that was checked, named by the URL's host.
    assert received["balance.succeeded"]["url"].host == "93.184.216.34"
    assert (headers["host"], received["balance.succeeded"]["sni"]) == (
        "hooks.example.com",
        "hooks.example.com",
    )
    assert {d.status for d in delivering.deliveries(sid)} == {"delivered"}


def test_replayed_stream_records_make_no_second_delivery(delivering: Delivering) -> None:
    sid = refreshed_subscription(delivering, ["balance"])
    delivering.pump_data_stream()  # a new pump reads from the start: every record again
    delivering.deliver_until_done()
    delivering.pump_data_stream()
    delivering.deliver_until_done()

    assert len(delivering.subscriber.received) == 1
    (delivery,) = delivering.deliveries(sid)
    assert (delivery.status, delivery.attempt_count) == ("delivered", 1)


def test_failures_are_retried_a_minute_apart_until_a_2xx(delivering: Delivering) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    delivering.subscriber.answers = [
        lambda _: httpx.Response(503),
        timeout,
        lambda _: httpx.Response(302),
        lambda _: httpx.Response(204),
    ]
    sid = refreshed_subscription(delivering, ["balance"])
    delivering.deliver_until_done()

    (delivery,) = delivering.deliveries(sid)
    assert delivery.status == "delivered"
    outcomes = [a.get("status_code", a.get("error")) for a in delivery.attempts]
    assert outcomes == [503, "no answer within 10 s", 302, 204]
    times = [datetime.fromisoformat(a["at"]) for a in delivery.attempts]
    assert [(b - a).total_seconds() for a, b in pairwise(times)] == [60, 60, 60]
    assert all("latency_ms" in a for a in delivery.attempts)


def test_delivery_is_abandoned_150_minutes_after_the_first_attempt(delivering: Delivering) -> None:
    delivering.subscriber.answers = [lambda _: httpx.Response(500)] * 1000
    sid = refreshed_subscription(delivering, ["balance"])
    delivering.deliver_until_done()

    (delivery,) = delivering.deliveries(sid)
    assert delivery.status == "abandoned"
    times = [datetime.fromisoformat(a["at"]) for a in delivery.attempts]
    assert times[-1] - times[0] == timedelta(minutes=150)
    assert len(delivery.attempts) == 151
    assert len(delivering.subscriber.received) == 151
    ids = {r["headers"]["webhook-id"] for r in delivering.subscriber.received}
    assert ids == {
        delivery.delivery_id
    }  # one id across retries, for the subscriber to de-duplicate
    payloads = {json.dumps(r["payload"], sort_keys=True) for r in delivering.subscriber.received}
    assert len(payloads) == 1


def test_a_failed_queue_send_does_not_end_the_chain(
    delivering: Delivering, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivering.subscriber.answers = [lambda _: httpx.Response(500)]
    queue = delivering.deliverer.deliverer.queue
    real_send, calls = queue.send, []

    def flaky_send(*args: Any, **kwargs: Any) -> None:
        calls.append(args)
        if len(calls) == 1:  # the retry after the first failed attempt (already recorded)
            raise RuntimeError("SQS unavailable")
        real_send(*args, **kwargs)

    monkeypatch.setattr(queue, "send", flaky_send)
    sid = refreshed_subscription(delivering, ["balance"])
    delivering.deliver_until_done()

    (delivery,) = delivering.deliveries(sid)
    assert delivery.status == "delivered"
    assert [a.get("status_code") for a in delivery.attempts] == [500, 200]
    # The first attempt's message came back after the visibility timeout and queued it.
    gap = datetime.fromisoformat(delivery.attempts[1]["at"]) - datetime.fromisoformat(
        delivery.attempts[0]["at"]
    )
    assert timedelta(minutes=4) <= gap <= timedelta(minutes=10)


def test_an_address_that_changes_to_a_private_one_is_not_posted_to(
    delivering: Delivering, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = refreshed_subscription(delivering, ["balance"])
    monkeypatch.setattr(
        "banksync.subscriptions.webhook_urls.resolve_host", lambda host: ["169.254.169.254"]
    )
    assert delivering.deliver_once() == {"batchItemFailures": []}
    (delivery,) = delivering.deliveries(sid)
    assert delivering.subscriber.received == []
    assert delivery.attempts[0]["error"].startswith("webhook_url resolves to a non-public")


def test_a_failure_inside_an_attempt_is_recorded_and_the_delivery_still_ends(
    delivering: Delivering, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = refreshed_subscription(delivering, ["balance"])

    def unusable(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise httpx.InvalidURL("Invalid port: 'abc'")

    monkeypatch.setattr(delivering.deliverer.deliverer.sender, "send", unusable)
    assert delivering.deliver_once() == {"batchItemFailures": []}
    (delivery,) = delivering.deliveries(sid)
    assert delivery.status == "pending"
    assert delivery.attempts[0]["error"] == "InvalidURL: Invalid port: 'abc'"
    delivering.deliver_until_done()
    (delivery,) = delivering.deliveries(sid)
    assert delivery.status == "abandoned"
    assert delivering.subscriber.received == []
