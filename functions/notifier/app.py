"""DataTable stream → a finished refresh item of a subscription becomes a queued delivery."""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.delivery.notifications import build_notifier
from banksync.delivery.settings import DeliverySettings
from banksync.dynamo import plain
from banksync.observability import logger, metrics

notifier = build_notifier(DeliverySettings.from_environ())
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def handle(record: DynamoDBRecord) -> None:
    change = record.dynamodb
    if change is not None:
        notifier.on_change(plain(change.old_image or {}), plain(change.new_image or {}))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=handle, processor=processor, context=context
    )
