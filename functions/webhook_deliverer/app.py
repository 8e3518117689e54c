"""Delivery queue → one signed POST per message; retried a minute later until 2xx or 150 min."""

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.delivery.deliverer import build_deliverer
from banksync.delivery.settings import DeliverySettings
from banksync.observability import logger, metrics
from banksync.partial_batch import (
    PartialItemFailureResponse,
    Record,
    message_id,
    process_partial_response,
)

deliverer = build_deliverer(DeliverySettings.from_environ())


def handle(record: Record) -> None:
    deliverer.handle(json.loads(record["body"]))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    with deliverer.batch():
        return process_partial_response(event, handle, message_id)
