"""The fetch queue: one message per pushed update to collect, due after its delay."""

import json
import math
from typing import Any

# SQS delays a message by at most 15 minutes.
MAX_DELAY_SECONDS = 900


class PushQueue:
    def __init__(self, queue_url: str, client: Any) -> None:
        self._url = queue_url
        self._client = client

    def send(self, record_id: str, product: str, delay: float = 0) -> None:
        body = {"record_id": record_id, "product": product}
        self._client.send_message(
            QueueUrl=self._url,
            MessageBody=json.dumps(body),
            DelaySeconds=min(MAX_DELAY_SECONDS, max(0, math.ceil(delay))),
        )
