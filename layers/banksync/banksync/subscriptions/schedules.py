"""Each subscription's EventBridge Scheduler schedule, in the stack's schedule group.

The schedule's name is the subscription id (``sub_`` + 24 hex: within
Scheduler's 64 characters). It puts ``{"subscription_id": ...}`` on the
due-work queue, where refreshes are batched.
"""

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

import boto3

from banksync.environment import env_str
from banksync.subscriptions.intervals import MINUTES, flexible_window_minutes, rate_expression
from banksync.subscriptions.models import Subscription


@dataclass(frozen=True)
class ScheduleTarget:
    group_name: str
    queue_arn: str
    role_arn: str
    dead_letter_arn: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        return cls(
            group_name=env_str("SCHEDULE_GROUP_NAME", environ),
            queue_arn=env_str("DUE_REFRESH_QUEUE_ARN", environ),
            role_arn=env_str("SCHEDULER_ROLE_ARN", environ),
            dead_letter_arn=env_str("SCHEDULE_DEAD_LETTER_QUEUE_ARN", environ),
        )


class SubscriptionSchedules:
    def __init__(self, target: ScheduleTarget, client: Any = None) -> None:
        self._target = target
        self._client = client or boto3.client("scheduler")

    def put(self, subscription: Subscription) -> dict[str, Any]:
        """Create or update the schedule to match ``subscription``; returns its summary."""
        definition = self._definition(subscription)
        try:
            self._client.create_schedule(**definition)
        except self._client.exceptions.ConflictException:
            self._client.update_schedule(**definition)
        return {
            "name": definition["Name"],
            "expression": definition["ScheduleExpression"],
            "state": definition["State"],
        }

    def delete(self, subscription_id: str) -> None:
        with contextlib.suppress(self._client.exceptions.ResourceNotFoundException):
            self._client.delete_schedule(Name=subscription_id, GroupName=self._target.group_name)

    def matches(self, subscription: Subscription) -> bool:
        """Whether the schedule exists exactly as ``subscription`` wants it."""
        try:
            found = self._client.get_schedule(
                Name=subscription.subscription_id, GroupName=self._target.group_name
            )
        except self._client.exceptions.ResourceNotFoundException:
            return False
        wanted = self._definition(subscription)
        return all(found.get(key) == wanted[key] for key in ("ScheduleExpression", "State")) and (
            found.get("Target", {}).get("Input") == wanted["Target"]["Input"]
        )

    def subscription_schedules(self) -> set[str]:
        """Names of the group's subscription schedules (the stack's own ones excluded)."""
        names: set[str] = set()
        paginator = self._client.get_paginator("list_schedules")
        for page in paginator.paginate(GroupName=self._target.group_name, NamePrefix="sub_"):
            names |= {schedule["Name"] for schedule in page["Schedules"]}
        return names

    def subscription_schedules_page(self, token: str | None) -> tuple[list[str], str | None]:
        """One page of the group's subscription schedule names, and the next page's token."""
        request: dict[str, Any] = {"GroupName": self._target.group_name, "NamePrefix": "sub_"}
        if token:
            request["NextToken"] = token
        answer = self._client.list_schedules(**request)
        return [schedule["Name"] for schedule in answer["Schedules"]], answer.get("NextToken")

    def _definition(self, subscription: Subscription) -> dict[str, Any]:
        window = flexible_window_minutes(subscription.interval)
        flexible = (
            {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": window} if window else {"Mode": "OFF"}
        )
        return {
            "Name": subscription.subscription_id,
            "GroupName": self._target.group_name,
            "ScheduleExpression": rate_expression(subscription.interval),
            "FlexibleTimeWindow": flexible,
            "State": "ENABLED" if subscription.state == "active" else "DISABLED",
            "Description": f"banksync refresh of {subscription.customer}",
            "Target": {
                "Arn": self._target.queue_arn,
                "RoleArn": self._target.role_arn,
                "Input": json.dumps({"subscription_id": subscription.subscription_id}),
                "RetryPolicy": {
                    "MaximumRetryAttempts": 3,
                    # A tick older than its interval is superseded by the next one.
                    "MaximumEventAgeInSeconds": max(60, MINUTES[subscription.interval] * 60),
                },
                "DeadLetterConfig": {"Arn": self._target.dead_letter_arn},
            },
        }
