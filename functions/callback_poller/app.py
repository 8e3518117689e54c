"""Polls a batch's pending callbacks and stores what is ready (the loop's task)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.observability import logger, metrics, tracer
from banksync.refresh.factory import build_workflow
from banksync.refresh.settings import WorkflowSettings

workflow = build_workflow(WorkflowSettings.from_environ())


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return workflow.poll(event["refresh_id"], context.get_remaining_time_in_millis)
