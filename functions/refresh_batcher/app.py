"""Due subscriptions and the daily refresh (SQS) → as few refresh executions as possible."""

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.observability import logger, metrics
from banksync.partial_batch import Record, failed_records, message_id, partial_response
from banksync.sync.batcher import Batch, build_batcher
from banksync.sync.settings import BatcherSettings

batcher = build_batcher(BatcherSettings.from_environ())


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    batch = Batch()

    def add(record: Record) -> None:
        batcher.add(batch, message_id(record), json.loads(record["body"]))

    # A malformed message fails alone; a failed start fails the batch's due
    # subscriptions, whose retry starts their refreshes again (stored once). Daily
    # work (sweep and repair pages) was done already: retrying it would fork its chain.
    # (A batch of nothing but malformed messages is raised, and retried whole.)
    records = event["Records"]
    answer = partial_response(failed_records(records, add, message_id), len(records))
    failed = {failure["itemIdentifier"] for failure in answer["batchItemFailures"]}
    failed |= set(batcher.start_or_retry(batch))
    return {"batchItemFailures": [{"itemIdentifier": m} for m in sorted(failed)]}
