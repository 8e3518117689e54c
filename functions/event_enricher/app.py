"""The domain-events Pipe's enrichment: DataTable stream records → banksync domain events.

The Pipe puts each returned object on the event bus as one event's ``detail``
(an empty list puts nothing).
"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.events.mapping import domain_events
from banksync.observability import logger


@logger.inject_lambda_context
def lambda_handler(event: list[dict[str, Any]], context: LambdaContext) -> list[dict[str, Any]]:
    events = domain_events(event)
    logger.info("domain events", extra={"records": len(event), "events": len(events)})
    return events
