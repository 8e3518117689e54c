"""The demo the offline stack seeds: a subscriber, a subscription per provider, a webhook.

Everything goes through the local HTTP API, as a user would: an Okra-shaped
AUTH webhook is posted with the dev token, and a ``one_minute`` subscription
for each provider's sandbox customer (Okra's, Mono's) sends its results to a
tiny local receiver that verifies every signature.
"""

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
from standardwebhooks import Webhook, WebhookVerificationError
from werkzeug.wrappers import Request, Response

from devstack.loopback import LoopbackServer

EVENTS = Path(__file__).resolve().parent.parent / "events"
Say = Callable[[str, str], None]


class DemoSubscriber(LoopbackServer):
    """A subscriber's webhook endpoint on loopback."""

    def __init__(self, say: Say, port: int = 0) -> None:
        super().__init__(self._app, port)
        self.secrets: list[str] = []  # one per subscription sending here
        self.received: list[dict[str, Any]] = []
        self._say = say

    @property
    def hook_url(self) -> str:
        return f"{self.url}/hooks/banksync"

    def start(self) -> "DemoSubscriber":
        super().start()
        return self

    def _app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        body = request.get_data(as_text=True)
        payload = self._verified(body, dict(request.headers))
        if payload is None:
            self._say("subscriber", "rejected a webhook: no subscription's secret signed it")
            return Response(status=401)(environ, start_response)
        self.received.append(payload)
        data = payload.get("data", {})
        self._say(
            "subscriber",
            f"received {payload.get('type')} for {data.get('account_id')} (signature verified)",
        )
        return Response(status=204)(environ, start_response)

    def _verified(self, body: str, headers: dict[str, str]) -> dict[str, Any] | None:
        for secret in self.secrets:
            try:
                payload: dict[str, Any] = Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            return payload
        return None


def seed(api_url: str, token: str, customer: str, subscriber: DemoSubscriber, say: Say) -> str:
    """Post the demo webhook and subscription; returns the subscription id."""
    with httpx.Client(base_url=api_url, timeout=10) as client:
        webhook = json.loads(json.loads((EVENTS / "webhook_auth_success.json").read_text())["body"])
        answer = client.post(
            "/webhooks/okra", json=webhook, headers={"Authorization": f"Bearer {token}"}
        )
        say("demo", f"posted an Okra AUTH_SUCCESS webhook → {answer.status_code} {answer.text}")
        return subscribe(client, "okra", customer, subscriber, say)


def seed_mono(api_url: str, customer: str, subscriber: DemoSubscriber, say: Say) -> str:
    """Subscribe Mono's sandbox customer (its accounts are linked already); returns the
    subscription id. Each run asks Mono for a real-time job, and Mono's webhook wakes it."""
    with httpx.Client(base_url=api_url, timeout=10) as client:
        return subscribe(client, "mono", customer, subscriber, say)


def subscribe(
    client: httpx.Client, provider: str, customer: str, subscriber: DemoSubscriber, say: Say
) -> str:
    created = client.post(
        "/subscriptions",
        json={
            "provider": provider,
            "customer": customer,
            "products": ["balance", "transactions"],
            "interval": "one_minute",
            "webhook_url": subscriber.hook_url,
        },
    )
    created.raise_for_status()
    subscription = created.json()
    subscriber.secrets.append(subscription["signing_secret"])
    say("demo", f"subscribed {provider} customer {customer} every minute → {subscriber.hook_url}")
    return str(subscription["subscription_id"])
