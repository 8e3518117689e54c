"""The operator API: refreshes, data-sync subscriptions, sweeps and linked accounts
(IAM-authorised)."""

from typing import Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.api import deliveries, links, refreshes, subscriptions, sweeps
from banksync.api.errors import register_error_handlers
from banksync.api.settings import ApiSettings
from banksync.api.write_errors import register_write_errors
from banksync.aws_clients import LazyClient
from banksync.delivery.settings import DeliveryApiSettings
from banksync.observability import logger, metrics

settings = ApiSettings.from_environ()
# One client of each service for every route: each more costs its own init. Only
# DynamoDB serves every request; the others are made on first use.
dynamodb, sqs = boto3.client("dynamodb"), LazyClient("sqs")
refresh_routes = refreshes.RefreshRoutes(settings, dynamodb)
subscription_service = subscriptions.build_service(settings, dynamodb)
sweep_routes = sweeps.SweepRoutes(settings, dynamodb, sqs)
delivery_routes = deliveries.DeliveryRoutes(
    settings, DeliveryApiSettings.from_environ(), dynamodb, sqs
)
account_links = links.build(settings, dynamodb)

app = APIGatewayHttpResolver()
app.include_router(refreshes.router)
app.include_router(subscriptions.router)
app.include_router(sweeps.router)
app.include_router(deliveries.router)
app.include_router(links.router)
register_error_handlers(app)
register_write_errors(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refreshes.idempotency_config.register_lambda_context(context)
    app.append_context(
        refresh_routes=refresh_routes,
        subscription_service=subscription_service,
        sweep_routes=sweep_routes,
        delivery_routes=delivery_routes,
        account_links=account_links,
        allow_loopback_webhooks=settings.allow_loopback_webhooks,
    )
    return app.resolve(event, context)
