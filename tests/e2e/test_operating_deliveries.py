"""The README's "Operating deliveries", against the offline stack over HTTP: find a
delivery, read its attempts, replay it, rotate the secret, list turned-off endpoints;
and its walkthrough: the subscription pointed at a closed port, then back, and the
delivery that failed meanwhile replayed at once."""

from datetime import UTC, datetime
from typing import Any

import httpx

from tests.e2e.conftest import wait_for

DEMO_CUSTOMER = "6740a0e1b2c3d4e5f6000a01"


def test_an_operator_reads_replays_and_rotates(offline_stack: dict[str, Any]) -> None:
    with httpx.Client(base_url=offline_stack["api_url"], timeout=10) as api:
        listed = api.get("/subscriptions", params={"customer": DEMO_CUSTOMER}).json()["items"]
        (subscription,) = [s for s in listed if s["interval"] == "one_minute"]
        sid = subscription["subscription_id"]

        def one_delivered() -> dict[str, Any] | None:
            page = api.get(f"/subscriptions/{sid}/deliveries", params={"status": "delivered"})
            items: list[dict[str, Any]] = page.json()["items"]
            return items[0] if items else None

        found = wait_for(one_delivered, timeout=240, every=2)
        detail = api.get(f"/deliveries/{found['delivery_id']}").json()
        assert detail["attempts"][-1]["status_code"] == 204
        assert detail["webhook_id"] == found["delivery_id"]

        # Rotated first: the demo receiver still holds the old secret, and verifies
        # the replay (it answers 401 to a signature it cannot verify).
        rotated = api.post(f"/subscriptions/{sid}/rotate-secret")
        assert rotated.status_code == 200
        assert rotated.json()["signing_secret"].startswith("whsec_")
        key = {"Idempotency-Key": f"e2e-replay-{found['delivery_id']}"}
        replay = api.post(f"/deliveries/{found['delivery_id']}/retry", headers=key)
        assert (replay.status_code, replay.json()["queued"]) == (202, 1)

        def replayed() -> dict[str, Any] | None:
            again: dict[str, Any] = api.get(f"/deliveries/{found['delivery_id']}").json()
            return again if again["chain"] == 2 and again["status"] != "pending" else None

        again = wait_for(replayed, timeout=60, every=1)
        assert again["status"] == "delivered"
        assert again["attempts"][-1]["status_code"] == 204

        failing = api.get("/subscriptions", params={"webhook_state": "failing"})
        assert (failing.status_code, failing.json()["items"]) == (200, [])
        bad = api.get(f"/subscriptions/{sid}/deliveries", params={"status": "lost"})
        assert bad.status_code == 400
        assert "status" in bad.json()["error"]["fields"]


# The README's closed port (the offline stack allows plain http to loopback).
DEAD = "http://127.0.0.1:9/hooks/banksync"


def test_the_walkthrough_a_closed_port_then_back_and_a_replay(
    offline_stack: dict[str, Any],
) -> None:
    with httpx.Client(base_url=offline_stack["api_url"], timeout=10) as api:
        listed = api.get("/subscriptions", params={"customer": DEMO_CUSTOMER}).json()["items"]
        (demo,) = [s for s in listed if s["interval"] == "one_minute"]
        sid, receiver = demo["subscription_id"], demo["webhook_url"]
        body = {
            "customer": DEMO_CUSTOMER,
            "products": ["balance", "transactions"],
            "interval": "one_minute",
        }
        try:
            pointed = api.post("/subscriptions", json={**body, "webhook_url": DEAD})
            assert (pointed.status_code, pointed.json()["webhook_url"]) == (200, DEAD)

            def just_failed() -> dict[str, Any] | None:
                """A pending delivery whose attempt at the closed port was just made."""
                page = api.get(
                    f"/subscriptions/{sid}/deliveries", params={"status": "pending", "limit": 1}
                ).json()
                for item in page["items"]:
                    detail: dict[str, Any] = api.get(f"/deliveries/{item['delivery_id']}").json()
                    last = (detail.get("attempts") or [{}])[-1]  # not attempted yet
                    due = detail.get("next_attempt_at")
                    if last.get("error_class") == "connect" and due and _ahead(due) > 30:
                        return detail
                return None

            failed = wait_for(just_failed, timeout=240, every=2)
            assert failed["webhook_url"] == DEAD
        finally:
            back = api.post("/subscriptions", json={**body, "webhook_url": receiver})
            assert back.status_code == 200
        did = failed["delivery_id"]
        replay = api.post(
            f"/deliveries/{did}/retry", headers={"Idempotency-Key": f"replay-{did}-1"}
        )
        assert replay.status_code == 202, replay.text
        answer = replay.json()
        assert (answer["queued"], answer["status"], answer["chain"]) == (1, "pending", 1)
        assert answer["status_url"].endswith(f"/deliveries/{did}")

        def delivered() -> dict[str, Any] | None:
            again: dict[str, Any] = api.get(f"/deliveries/{did}").json()
            return again if again["status"] != "pending" else None

        done = wait_for(delivered, timeout=60, every=1)
        assert done["status"] == "delivered"
        assert done["webhook_url"] == receiver
        assert done["attempts"][-1]["status_code"] == 204
        # Made when replayed, before the attempt it moved forward was due.
        made = datetime.fromisoformat(done["attempts"][-1]["at"])
        assert made < datetime.fromisoformat(failed["next_attempt_at"])

        def none_left() -> bool:
            page = api.get(f"/subscriptions/{sid}/deliveries", params={"status": "pending"})
            return not [i for i in page.json()["items"] if i.get("webhook_url") == DEAD]

        # Every delivery made meanwhile follows the subscription back, within a minute.
        assert wait_for(none_left, timeout=120, every=2)


def _ahead(moment: str) -> float:
    return (datetime.fromisoformat(moment) - datetime.now(UTC)).total_seconds()
