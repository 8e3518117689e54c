"""Doing what EventBridge Scheduler does when a schedule fires (moto stores
schedules but never fires them)."""

from typing import Any


def fire(session: Any, schedule: dict[str, Any]) -> str:
    """Deliver ``schedule``'s target input to its SQS target; returns the message id."""
    target = schedule["Target"]
    if ":sqs:" not in target["Arn"]:
        raise ValueError(f"the offline stack fires SQS targets only, not {target['Arn']}")
    sqs = session.client("sqs")
    queue_name = target["Arn"].rsplit(":", 1)[-1]
    url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    message_id: str = sqs.send_message(QueueUrl=url, MessageBody=target.get("Input", "{}"))[
        "MessageId"
    ]
    return message_id
