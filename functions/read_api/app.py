"""The read API: accounts, balances, transactions and the change feed (IAM-authorised)."""

from typing import Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.api import accounts
from banksync.api.errors import register_error_handlers
from banksync.consumer.reads import ConsumerReads
from banksync.environment import env_str
from banksync.feed.reader import ChangeFeed
from banksync.observability import logger, metrics

table_name = env_str("DATA_TABLE_NAME")
client = boto3.client("dynamodb")
read_routes = accounts.ReadRoutes(ConsumerReads(table_name, client), ChangeFeed(table_name, client))

app = APIGatewayHttpResolver()
app.include_router(accounts.router)
register_error_handlers(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    app.append_context(read_routes=read_routes)
    return app.resolve(event, context)
