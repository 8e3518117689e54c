"""The delivery queue: each message is one attempt, due after its delay.

SQS delays a message at most 15 minutes; a longer wait (a ``Retry-After``)
travels as ``not_before``, and a message received before it is put back for
the rest of the wait without an attempt. ``due`` names the ``next_attempt_at``
the message was queued for: an operator's replay moves that time forward and
queues a message of its own, and the message it replaced then knows itself
superseded.
"""

import json
from typing import Any

import boto3

RETRY_DELAY_SECONDS = 60
MAX_DELAY_SECONDS = 900


class DeliveryQueue:
    def __init__(self, queue_url: str, client: Any = None) -> None:
        self._url = queue_url
        self._client = client or boto3.client("sqs")

    def send(
        self,
        subscription_id: str,
        delivery_id: str,
        attempt: int,
        delay: int = 0,
        not_before: str | None = None,
        due: str | None = None,
    ) -> None:
        body: dict[str, Any] = {
            "subscription_id": subscription_id,
            "delivery_id": delivery_id,
            "attempt": attempt,
        }
        if not_before:
            body["not_before"] = not_before
        if due:
            body["due"] = due
        self._client.send_message(
            QueueUrl=self._url,
            MessageBody=json.dumps(body),
            DelaySeconds=max(0, min(MAX_DELAY_SECONDS, delay)),
        )
