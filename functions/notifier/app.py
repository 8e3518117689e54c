"""DataTable stream → a finished refresh item of a subscription becomes a queued delivery."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.delivery.notifications import build_notifier
from banksync.delivery.settings import DeliverySettings
from banksync.dynamo import plain
from banksync.observability import logger, metrics
from banksync.partial_batch import (
    PartialItemFailureResponse,
    Record,
    process_partial_response,
    sequence_number,
    stream_image,
)

notifier = build_notifier(DeliverySettings.from_environ())


def handle(record: Record) -> None:
    if record.get("dynamodb") is not None:
        old, new = stream_image(record, "OldImage"), stream_image(record, "NewImage")
        notifier.on_change(plain(old), plain(new))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event, handle, sequence_number)
