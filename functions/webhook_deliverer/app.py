"""Delivery queue → one signed POST per message; retried a minute later until 2xx or 150 min."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.delivery.deliverer import build_deliverer
from banksync.delivery.settings import DeliverySettings
from banksync.observability import logger, metrics

deliverer = build_deliverer(DeliverySettings.from_environ())
processor = BatchProcessor(event_type=EventType.SQS)


def handle(record: SQSRecord) -> None:
    deliverer.handle(json.loads(record.body))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=handle, processor=processor, context=context
    )
