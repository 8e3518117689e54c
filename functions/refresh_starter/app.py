"""Starts the refreshes of a batch (first task of the refresh state machine)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.observability import logger, metrics
from banksync.refresh.factory import build_workflow
from banksync.refresh.settings import WorkflowSettings

workflow = build_workflow(WorkflowSettings.from_environ())


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return workflow.start(event, context.get_remaining_time_in_millis)
