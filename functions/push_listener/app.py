"""EventsTable stream → the provider's data webhooks become pushed updates to fetch."""

from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.dynamo import plain
from banksync.observability import logger, metrics
from banksync.partial_batch import (
    PartialItemFailureResponse,
    Record,
    process_partial_response,
    sequence_number,
    stream_image,
)
from banksync.push.listener import build_listener
from banksync.push.settings import PushSettings

listener = build_listener(
    PushSettings.for_listener(),
    boto3.client("dynamodb"),
    boto3.client("sqs"),
    boto3.client("stepfunctions"),
)


def handle(record: Record) -> None:
    listener.on_event(plain(stream_image(record, "NewImage")))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event, handle, sequence_number)
