"""The offline stack's scheduler fires moto's schedules at their times (on an injected clock)."""

import json
import random
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from devstack.local_scheduler import LocalScheduler, rate_seconds


def due_queue(aws: boto3.Session) -> tuple[str, str]:
    """The SQS queue schedules deliver to: its URL and ARN."""
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="due")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return url, attributes["Attributes"]["QueueArn"]


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(1 hour)", 3600),
        ("rate(12 hours)", 43200),
        ("rate(1 day)", 86400),
        ("cron(0 12 * * ? *)", None),
    ],
)
def test_rate_expressions(expression: str, seconds: int | None) -> None:
    assert rate_seconds(expression) == seconds


def test_schedules_fire_on_time_and_honour_state(aws: boto3.Session) -> None:
    url, arn = due_queue(aws)
    scheduler = aws.client("scheduler")
    scheduler.create_schedule_group(Name="g")
    target: Any = {"Arn": arn, "RoleArn": "arn:aws:iam::123456789012:role/r", "Input": '{"n": 1}'}
    scheduler.create_schedule(
        Name="every-minute",
        GroupName="g",
        ScheduleExpression="rate(1 minute)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=target,
        State="ENABLED",
    )
    created = scheduler.get_schedule(Name="every-minute", GroupName="g")["LastModificationDate"]
    now = [created.timestamp()]
    fired: list[str] = []
    local = LocalScheduler(
        aws, lambda name, _: fired.append(name), clock=lambda: now[0], rng=random.Random(1)
    )

    assert local.tick() == []
    now[0] += 59.9
    assert local.tick() == []
    now[0] += 0.2
    assert local.tick() == ["every-minute"]
    assert local.tick() == []
    now[0] += 60
    assert local.tick() == ["every-minute"]
    sqs = aws.client("sqs")
    bodies = [
        json.loads(m["Body"])
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    ]
    assert bodies == [{"n": 1}, {"n": 1}]

    scheduler.update_schedule(
        Name="every-minute",
        GroupName="g",
        ScheduleExpression="rate(1 minute)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=target,
        State="DISABLED",
    )
    now[0] += 600
    assert local.tick() == []
    assert fired == ["every-minute", "every-minute"]


def test_a_flexible_window_delays_within_it(aws: boto3.Session) -> None:
    scheduler = aws.client("scheduler")
    scheduler.create_schedule_group(Name="g")
    _, arn = due_queue(aws)
    scheduler.create_schedule(
        Name="hourly",
        GroupName="g",
        ScheduleExpression="rate(1 hour)",
        FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
        Target={"Arn": arn, "RoleArn": "arn:aws:iam::123456789012:role/r"},
        State="ENABLED",
    )
    start = scheduler.get_schedule(Name="hourly", GroupName="g")["LastModificationDate"].timestamp()
    times = []
    now = [start]
    local = LocalScheduler(aws, clock=lambda: now[0], rng=random.Random(7))
    for _ in range((3 * 3600 + 16 * 60) // 30):
        now[0] += 30
        if local.tick():
            times.append(now[0] - start)
    assert len(times) == 3
    for hour, seconds in enumerate(times, start=1):
        assert hour * 3600 <= seconds <= hour * 3600 + 15 * 60 + 30
    assert any(seconds - hour * 3600 > 30 for hour, seconds in enumerate(times, start=1))


def test_every_page_of_schedules_fires(aws: boto3.Session) -> None:
    _, arn = due_queue(aws)
    scheduler = aws.client("scheduler")
    scheduler.create_schedule_group(Name="g")
    target: Any = {"Arn": arn, "RoleArn": "arn:aws:iam::123456789012:role/r"}
    for n in range(120):
        scheduler.create_schedule(
            Name=f"s-{n:03d}",
            GroupName="g",
            ScheduleExpression="rate(1 minute)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target=target,
            State="ENABLED",
        )
    later = datetime.now(UTC).timestamp() + 3600
    local = LocalScheduler(aws, clock=lambda: later)
    assert len(local.tick()) == 120


def test_what_cannot_be_fired_is_reported_once(aws: boto3.Session) -> None:
    scheduler = aws.client("scheduler")
    scheduler.create_schedule_group(Name="g")
    scheduler.create_schedule(
        Name="cron",
        GroupName="g",
        ScheduleExpression="cron(0 12 * * ? *)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:sqs:us-east-1:123456789012:q", "RoleArn": "arn:aws:iam::1:role/r"},
    )
    problems: list[str] = []
    local = LocalScheduler(aws, on_problem=problems.append)
    local.tick()
    local.tick()
    assert problems == ["cron: cron(0 12 * * ? *) is not fired offline"]
