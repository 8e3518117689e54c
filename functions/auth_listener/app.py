"""EventsTable stream → AUTH success webhooks lift re-authorisation holds."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.bankdata.store import BankDataStore
from banksync.dynamo import plain
from banksync.environment import env_str
from banksync.observability import logger, metrics
from banksync.partial_batch import (
    PartialItemFailureResponse,
    Record,
    process_partial_response,
    sequence_number,
    stream_image,
)
from banksync.sync.reauth import ReauthListener

listener = ReauthListener(BankDataStore(env_str("DATA_TABLE_NAME")))


def handle(record: Record) -> None:
    listener.on_event(plain(stream_image(record, "NewImage")))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event, handle, sequence_number)
