"""The delivery queue: each message is one attempt, due after its delay."""

import json
from typing import Any

import boto3

RETRY_DELAY_SECONDS = 60


class DeliveryQueue:
    def __init__(self, queue_url: str, client: Any = None) -> None:
        self._url = queue_url
        self._client = client or boto3.client("sqs")

    def send(self, subscription_id: str, delivery_id: str, attempt: int, delay: int = 0) -> None:
        body = {"subscription_id": subscription_id, "delivery_id": delivery_id, "attempt": attempt}
        self._client.send_message(
            QueueUrl=self._url, MessageBody=json.dumps(body), DelaySeconds=delay
        )
