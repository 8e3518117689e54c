"""The fetch queue → each pushed update's callback fetched once, within the provider budget."""

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

from banksync.observability import logger, metrics
from banksync.push.factory import build_fetcher
from banksync.push.settings import PushSettings

fetcher = build_fetcher(PushSettings.from_environ())
processor = BatchProcessor(event_type=EventType.SQS)


def handle(record: SQSRecord) -> None:
    outcome = fetcher.handle(json.loads(record.body))
    logger.info("pushed update", extra={"message_id": record.message_id, "outcome": outcome})


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=handle, processor=processor, context=context
    )
