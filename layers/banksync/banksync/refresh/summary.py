"""What a refresh run reports of itself: its items by status, and why it failed."""

import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from banksync.observability import metrics
from banksync.refresh.model import ItemStatus, RefreshItem

# The metric each way an item can finish counts in.
FINISHED_METRICS = {
    ItemStatus.SUCCEEDED: "RefreshItemSucceeded",
    ItemStatus.FAILED: "RefreshItemFailed",
    ItemStatus.REAUTH_REQUIRED: "RefreshItemReauthRequired",
    ItemStatus.TIMED_OUT: "RefreshItemTimedOut",
}


def error_summary(error: dict[str, Any]) -> str:
    """``ErrorType: message`` from a Step Functions error, without any stack trace."""
    name = str(error.get("Error") or "unknown error")
    try:
        cause = json.loads(error.get("Cause") or "")
    except (TypeError, ValueError):
        cause = error.get("Cause")
    if isinstance(cause, dict):
        return f"{cause.get('errorType', name)}: {str(cause.get('errorMessage', ''))[:200]}"
    return f"{name}: {str(cause or '')[:200]}" if cause else name


def count_by_status(items: list[RefreshItem]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[str(item.status)] = counts.get(str(item.status), 0) + 1
    return counts


def count_finished(finished: Mapping[ItemStatus, int]) -> None:
    """The round's finished items, one metric value per status (not one per item)."""
    for status, count in finished.items():
        metrics.add_metric(name=FINISHED_METRICS[status], unit=MetricUnit.Count, value=count)
