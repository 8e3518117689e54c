"""Records an unexpected workflow failure: every unfinished item becomes failed."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.observability import logger, metrics
from banksync.refresh.factory import build_workflow
from banksync.refresh.settings import WorkflowSettings

workflow = build_workflow(WorkflowSettings.from_environ())


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    workflow.abort(event["refresh_id"], event.get("error") or {})
