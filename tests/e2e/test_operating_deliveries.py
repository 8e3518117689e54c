"""The README's "Operating deliveries", against the offline stack over HTTP: find a
delivery, read its attempts, replay it, rotate the secret, list turned-off endpoints."""

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
