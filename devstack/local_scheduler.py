"""Firing the embedded AWS's schedules at their real times, as EventBridge Scheduler would.

moto stores schedules but never fires them. This reads every schedule group,
honours each schedule's state, its ``rate(...)`` expression (counted from its
last change, as Scheduler counts) and its flexible window (a random offset
within it for every occurrence), and delivers the target input as Scheduler
would (``devstack.scheduler.fire``).
"""

import random
import re
import time
from collections.abc import Callable
from typing import Any

from devstack.scheduler import fire

UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def rate_seconds(expression: str) -> int | None:
    found = re.fullmatch(r"rate\((\d+) (\w+)\)", expression.strip())
    if not found or found.group(2) not in UNITS:
        return None
    return int(found.group(1)) * UNITS[found.group(2)]


class LocalScheduler:
    def __init__(
        self,
        session: Any,
        on_fire: Callable[[str, str], None] = lambda name, group: None,
        on_problem: Callable[[str], None] = lambda message: None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._client = session.client("scheduler")
        self._session = session
        self._on_fire = on_fire
        self._on_problem = on_problem
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 - spreading load, not security
        # key → (changed_at, nominal occurrence, when it fires: nominal + window offset)
        self._due: dict[tuple[str, str], tuple[float, float, float]] = {}
        self.reported: set[str] = set()

    def tick(self) -> list[str]:
        """Fire whatever is due now; returns the names fired."""
        fired, seen, now = [], set(), self._clock()
        for schedule in self._schedules():
            key = (schedule["GroupName"], schedule["Name"])
            seen.add(key)
            try:
                if self._due_now(key, schedule, now):
                    fired.append(key[1])
            except Exception as error:  # one bad schedule must not stop the others
                self._report(f"{key[1]}: {type(error).__name__}: {error}")
        for gone in set(self._due) - seen:
            del self._due[gone]
        return fired

    def _due_now(self, key: tuple[str, str], schedule: dict[str, Any], now: float) -> bool:
        period = rate_seconds(schedule["ScheduleExpression"])
        if period is None:
            self._report(f"{key[1]}: {schedule['ScheduleExpression']} is not fired offline")
        if period is None or schedule["State"] != "ENABLED" or not _in_window(schedule, now):
            self._due.pop(key, None)
            return False
        changed = schedule["LastModificationDate"].timestamp()
        known = self._due.get(key)
        if known and known[0] == changed:
            _, nominal, due = known
        else:  # new or changed: rates count from the change
            nominal = changed + period
            due = nominal + self._offset(schedule)
        fire_now = now >= due
        if fire_now:
            while nominal <= now:
                nominal += period
            due = nominal + self._offset(schedule)
        self._due[key] = (changed, nominal, due)
        if fire_now:
            fire(self._session, schedule)
            self._on_fire(key[1], key[0])
        return fire_now

    def _report(self, message: str) -> None:
        if message not in self.reported:
            self.reported.add(message)
            self._on_problem(message)

    def _offset(self, schedule: dict[str, Any]) -> float:
        window = schedule.get("FlexibleTimeWindow", {})
        if window.get("Mode") != "FLEXIBLE":
            return 0.0
        return self._rng.uniform(0, 60 * int(window.get("MaximumWindowInMinutes", 0)))

    def _schedules(self) -> list[dict[str, Any]]:
        found = []
        groups = self._client.get_paginator("list_schedule_groups").paginate()
        for group in (g for page in groups for g in page["ScheduleGroups"]):
            pages = self._client.get_paginator("list_schedules").paginate(GroupName=group["Name"])
            for summary in (s for page in pages for s in page["Schedules"]):
                found.append(
                    self._client.get_schedule(Name=summary["Name"], GroupName=group["Name"])
                )
        return found


def _in_window(schedule: dict[str, Any], now: float) -> bool:
    start, end = schedule.get("StartDate"), schedule.get("EndDate")
    return (start is None or now >= start.timestamp()) and (end is None or now < end.timestamp())
