"""EventsTable stream → AUTH success webhooks lift re-authorisation holds."""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.bankdata.store import BankDataStore
from banksync.dynamo import plain
from banksync.environment import env_str
from banksync.observability import logger, metrics
from banksync.sync.reauth import ReauthListener

listener = ReauthListener(BankDataStore(env_str("DATA_TABLE_NAME")))
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def handle(record: DynamoDBRecord) -> None:
    listener.on_event(plain(record.dynamodb.new_image) if record.dynamodb else {})


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=handle, processor=processor, context=context
    )
