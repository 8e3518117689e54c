"""Polls a batch's pending callbacks and stores what is ready (the loop's task)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.observability import logger, metrics
from banksync.refresh.factory import build_workflow
from banksync.refresh.settings import WorkflowSettings

workflow = build_workflow(WorkflowSettings.from_environ())


def woken(wake: Any) -> bool:
    """The park ended by the push listener's token, or at once because a webhook came
    before it parked (its condition failed); a timeout is the fallback poll."""
    if not isinstance(wake, dict):
        return False
    return wake.get("woken") is True or "ConditionalCheckFailed" in str(wake.get("Error", ""))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return workflow.poll(
        event["refresh_id"], context.get_remaining_time_in_millis, woken(event.get("wake"))
    )
