"""The offline stack's domain events: a consumer's rule on the local bus receives them.

Runs first among the e2e tests (by name), so its rule is in place before the
demo's one-minute subscription fires its first scheduled refresh.
"""

import json
from pathlib import Path
from typing import Any

import boto3

from banksync.feed.reader import ChangeFeed
from tests.e2e.conftest import wait_for

DEMO_ACCOUNT = "6740a2b3c4d5e6f7a8000c01"


def test_a_scheduled_refresh_puts_its_events_on_the_local_bus(
    offline_stack: dict[str, Any], aws_session: boto3.Session, dynamodb: Any
) -> None:
    endpoint = offline_stack["aws_endpoint_url"]
    sqs = aws_session.client("sqs", endpoint_url=endpoint)
    events = aws_session.client("events", endpoint_url=endpoint)
    bus = offline_stack["event_bus"]["name"]
    url = sqs.create_queue(QueueName="e2e-consumer")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    events.put_rule(
        Name="e2e-consumer", EventBusName=bus, EventPattern=json.dumps({"source": ["banksync"]})
    )
    events.put_targets(
        Rule="e2e-consumer",
        EventBusName=bus,
        Targets=[{"Id": "queue", "Arn": queue_arn["Attributes"]["QueueArn"]}],
    )
    received: list[dict[str, Any]] = []

    def scheduled_refresh_completed() -> bool:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            received.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return any(
            e["detail"]["type"] == "banksync.refresh.completed"
            and e["detail"]["run_kind"] == "scheduled"
            for e in received
        )

    wait_for(scheduled_refresh_completed, timeout=240, every=1)
    details = [e["detail"] for e in received]
    assert {(e["source"], e["detail-type"]) for e in received} == {("banksync", "banksync.event")}
    assert any(
        d["type"] == "banksync.balance.updated" and d["account_id"] == DEMO_ACCOUNT for d in details
    )
    changed = [
        d
        for d in details
        if d["type"] == "banksync.transactions.changed" and d["account_id"] == DEMO_ACCOUNT
    ]
    assert changed
    # Each event's cursor reads exactly the changes it counts, first.
    feed = ChangeFeed(offline_stack["tables"]["DataTable"], dynamodb)
    for detail in changed:
        count = detail["added"] + detail["modified"] + detail["removed"]
        page = feed.account_page(DEMO_ACCOUNT, detail["cursor"], count)
        assert (len(page.added), len(page.modified), len(page.removed)) == (
            detail["added"],
            detail["modified"],
            detail["removed"],
        )
    feed_lines = Path(offline_stack["log"]).read_text()
    assert "event      banksync.transactions.changed" in feed_lines  # shown in the activity feed
