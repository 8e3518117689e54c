"""Mono's documented payloads (tests/fixtures/mono), and a webhook stored as the
receiver stores it, for the Mono adapter's tests."""

import json
from pathlib import Path
from typing import Any

from banksync.mono.reader import MonoWebhooks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mono"
RECEIVED_AT = "2026-01-27T21:05:00.000Z"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def stored(payload: dict[str, Any], received_at: str = RECEIVED_AT) -> dict[str, Any]:
    """The EventsTable item the webhook receiver writes for ``payload``."""
    reader = MonoWebhooks()
    return {
        **reader.indexed(payload).present_fields(),
        "event_id": reader.event_key(payload),
        "entity": "inbound_webhook",
        "schema_version": 1,
        "received_at": received_at,
        "payload": json.dumps(payload),
    }
