"""An SQS queue feeding a function as Lambda's event source mapping would.

Messages are gathered into one batch (up to ``batch_size``), handed over as a
Lambda SQS event, and deleted unless the function reported them in
``batchItemFailures`` (or failed as a whole).
"""

from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], Any]


class QueuePump:
    def __init__(self, session: Any, queue_url: str, queue_arn: str, batch_size: int = 100) -> None:
        self._sqs = session.client("sqs")
        self._url, self._arn = queue_url, queue_arn
        self._batch_size = batch_size

    def receive(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while len(messages) < self._batch_size:
            answer = self._sqs.receive_message(
                QueueUrl=self._url,
                MaxNumberOfMessages=min(10, self._batch_size - len(messages)),
                AttributeNames=["All"],
            )
            if not answer.get("Messages"):
                break
            messages += answer["Messages"]
        return messages

    def deliver(self, handler: Handler) -> dict[str, Any] | None:
        """One batch to ``handler``; None when the queue had nothing."""
        messages = self.receive()
        if not messages:
            return None
        event = {"Records": [self._record(message) for message in messages]}
        try:
            response = handler(event) or {}
        except Exception:
            return {"batchItemFailures": [{"itemIdentifier": m["MessageId"]} for m in messages]}
        failed = {failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] not in failed:
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
        return dict(response)

    def receive_later(self) -> int:
        """Messages still in the queue but not yet visible (delayed or in flight)."""
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self._url,
            AttributeNames=[
                "ApproximateNumberOfMessagesDelayed",
                "ApproximateNumberOfMessagesNotVisible",
            ],
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)) + int(
            attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
        )

    def visible(self) -> int:
        """Messages ready to be received now."""
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self._url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessages", 0))

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": self._arn.split(":")[3],
        }
