"""Okra's data-sync intervals, as EventBridge Scheduler rate expressions."""

from typing import Literal

Interval = Literal[
    "one_minute",
    "five_minute",
    "fifteen_minute",
    "thirty_minute",
    "one_hour",
    "six_hours",
    "twelve_hours",
    "daily",
]
MINUTES: dict[str, int] = {
    "one_minute": 1,
    "five_minute": 5,
    "fifteen_minute": 15,
    "thirty_minute": 30,
    "one_hour": 60,
    "six_hours": 360,
    "twelve_hours": 720,
    "daily": 1440,
}
MAX_FLEXIBLE_WINDOW_MINUTES = 60


def rate_expression(interval: str) -> str:
    minutes = MINUTES[interval]
    if minutes % 1440 == 0:
        value, unit = minutes // 1440, "day"
    elif minutes % 60 == 0:
        value, unit = minutes // 60, "hour"
    else:
        value, unit = minutes, "minute"
    return f"rate({value} {unit}{'s' if value > 1 else ''})"


def flexible_window_minutes(interval: str) -> int:
    """A quarter of the interval (at most an hour) to spread load; 0 means exact."""
    return min(MINUTES[interval] // 4, MAX_FLEXIBLE_WINDOW_MINUTES)
