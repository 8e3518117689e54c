"""The fetch queue → each pushed update's callback fetched once, within the provider budget."""

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.observability import logger, metrics
from banksync.partial_batch import (
    PartialItemFailureResponse,
    Record,
    message_id,
    process_partial_response,
)
from banksync.push.factory import build_fetcher
from banksync.push.settings import PushSettings

fetcher = build_fetcher(PushSettings.from_environ())


def handle(record: Record) -> None:
    outcome = fetcher.handle(json.loads(record["body"]))
    logger.info("pushed update", extra={"message_id": message_id(record), "outcome": outcome})


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event, handle, message_id)
