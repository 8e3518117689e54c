"""Due subscriptions and the daily refresh (SQS) → as few refresh executions as possible."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.observability import logger, metrics
from banksync.sync.batcher import Batch, build_batcher
from banksync.sync.settings import BatcherSettings

batcher = build_batcher(BatcherSettings.from_environ())
processor = BatchProcessor(event_type=EventType.SQS)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    batch = Batch()

    def add(record: SQSRecord) -> None:
        batcher.add(batch, record.message_id, json.loads(record.body))

    # A malformed message fails alone; a failed start fails the batch's due
    # subscriptions, whose retry starts their refreshes again (stored once). Daily
    # work (sweep and repair pages) was done already: retrying it would fork its chain.
    with processor(records=event["Records"], handler=add):
        processor.process()
    failed = {str(f["itemIdentifier"]) for f in processor.response()["batchItemFailures"]}
    failed |= set(batcher.start_or_retry(batch))
    return {"batchItemFailures": [{"itemIdentifier": m} for m in sorted(failed)]}
