"""Partial batch responses for the stream and queue functions.

With ``ReportBatchItemFailures`` Lambda retries only the records a function
names as failed: a DynamoDB stream from the lowest failed sequence number, a
queue each failed message. A batch whose every record failed is raised, so
that Lambda retries it whole, as Powertools' batch processor does.

This is that processor's loop without the processor: importing
``aws_lambda_powertools.utilities.batch`` loads every event source's data
class and asyncio at every cold start of every stream and queue function,
for a loop that reads two fields of a record.
Stream images are read with Powertools' own deserializer, so numbers, sets
and binaries come as its data classes gave them.
"""

from collections.abc import Callable, Sequence
from typing import Any, TypedDict

from aws_lambda_powertools.shared.dynamodb_deserializer import TypeDeserializer

from banksync.observability import logger

Record = dict[str, Any]
_deserializer = TypeDeserializer()


class PartialItemFailure(TypedDict):
    itemIdentifier: str


class PartialItemFailureResponse(TypedDict):
    batchItemFailures: list[PartialItemFailure]


class BatchFailedError(Exception):
    """Every record of a batch failed: the batch is retried whole."""


def message_id(record: Record) -> str:
    """What identifies an SQS message to Lambda."""
    return str(record["messageId"])


def sequence_number(record: Record) -> str:
    """What identifies a DynamoDB stream record to Lambda."""
    return str(record["dynamodb"]["SequenceNumber"])


def stream_image(record: Record, which: str) -> dict[str, Any]:
    """A stream record's ``NewImage`` or ``OldImage`` as Python values ({} if absent)."""
    image = (record.get("dynamodb") or {}).get(which) or {}
    return {name: _deserializer.deserialize(value) for name, value in image.items()}


def failed_records(
    records: Sequence[Record], handle: Callable[[Record], object], identify: Callable[[Record], str]
) -> list[str]:
    """Handle each record; the identifiers of those whose handling raised."""
    failed = []
    for record in records:
        try:
            handle(record)
        except Exception:
            failed.append(identify(record))
            logger.warning(
                "record failed; reported for retry", extra={"item": failed[-1]}, exc_info=True
            )
    return failed


def partial_response(failed: Sequence[str], total: int) -> PartialItemFailureResponse:
    """The response naming ``failed`` of ``total`` records; all failed is raised."""
    if failed and len(failed) == total:
        raise BatchFailedError(f"all {total} records failed processing; each is logged")
    return {"batchItemFailures": [{"itemIdentifier": item} for item in failed]}


def process_partial_response(
    event: dict[str, Any], handle: Callable[[Record], object], identify: Callable[[Record], str]
) -> PartialItemFailureResponse:
    """Handle a stream or queue event's records, reporting the failed ones."""
    records = event["Records"]
    return partial_response(failed_records(records, handle, identify), len(records))
