"""EventsTable stream → the provider's data webhooks become pushed updates to fetch."""

from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.dynamo import plain
from banksync.observability import logger, metrics
from banksync.push.listener import build_listener
from banksync.push.settings import PushSettings

listener = build_listener(
    PushSettings.for_listener(),
    boto3.client("dynamodb"),
    boto3.client("sqs"),
    boto3.client("stepfunctions"),
)
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def handle(record: DynamoDBRecord) -> None:
    listener.on_event(plain(record.dynamodb.new_image) if record.dynamodb else {})


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=handle, processor=processor, context=context
    )
