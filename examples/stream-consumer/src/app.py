"""banksync's new transactions (its DataTable stream, filtered by the event source) → a ledger.

Every record the event source hands over is the insert of one transaction
item, in the shape banksync documents (its ``schemas/records/``: ``entity``
``"transaction"``, ``schema_version`` 1, ``change`` ``"added"``). Each is
recorded once: a stream record can be delivered more than once, so the
ledger write is conditional on the transaction not being there yet. A record
of another shape or version fails alone (``ReportBatchItemFailures``): Lambda
retries it, bisects its batch, and at last reports it to the on-failure queue
while the rest of the stream moves on.
"""

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

# The versions of banksync's transaction record this consumer understands.
SCHEMA_VERSIONS = {1}
# What the ledger keeps of a transaction (documented fields), when present.
KEPT = ("amount", "direction", "currency", "booked_at", "description", "status")

logger = Logger()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
ledger = boto3.resource("dynamodb").Table(os.environ["LEDGER_TABLE_NAME"])


class UnexpectedRecordError(ValueError):
    """Not a new transaction this consumer understands: the filter or the schema moved."""


def new_transaction(record: DynamoDBRecord) -> dict[str, Any]:
    image = record.dynamodb.new_image if record.dynamodb else {}
    event = record.event_name.name if record.event_name else None
    if event != "INSERT" or image.get("entity") != "transaction":
        raise UnexpectedRecordError(f"not a new transaction: {event} {image.get('entity')}")
    if image.get("schema_version") not in SCHEMA_VERSIONS:
        raise UnexpectedRecordError(f"transaction schema_version {image.get('schema_version')}")
    return image


def record_transaction(record: DynamoDBRecord) -> None:
    transaction = new_transaction(record)
    entry = {
        "account_id": transaction["account_id"],
        "transaction_id": transaction["transaction_id"],
        **{name: transaction[name] for name in KEPT if transaction.get(name) is not None},
        "stream_sequence_number": record.dynamodb.sequence_number if record.dynamodb else None,
    }
    try:
        ledger.put_item(Item=entry, ConditionExpression="attribute_not_exists(transaction_id)")
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        logger.info("already in the ledger", extra={"transaction_id": entry["transaction_id"]})
        return
    logger.info(
        "new transaction recorded",
        extra={"account_id": entry["account_id"], "transaction_id": entry["transaction_id"]},
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_transaction, processor=processor, context=context
    )
