"""The operator API: refreshes, data-sync subscriptions and sweeps (IAM-authorised)."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.api import deliveries, refreshes, subscriptions, sweeps
from banksync.api.errors import register_error_handlers
from banksync.api.settings import ApiSettings
from banksync.delivery.settings import DeliveryApiSettings
from banksync.observability import logger, metrics

settings = ApiSettings.from_environ()
refresh_routes = refreshes.RefreshRoutes(settings)
subscription_service = subscriptions.build_service(settings)
sweep_routes = sweeps.SweepRoutes(settings)
delivery_routes = deliveries.DeliveryRoutes(settings, DeliveryApiSettings.from_environ())

app = APIGatewayHttpResolver()
app.include_router(refreshes.router)
app.include_router(subscriptions.router)
app.include_router(sweeps.router)
app.include_router(deliveries.router)
register_error_handlers(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refreshes.idempotency_config.register_lambda_context(context)
    app.append_context(
        refresh_routes=refresh_routes,
        subscription_service=subscription_service,
        sweep_routes=sweep_routes,
        delivery_routes=delivery_routes,
        allow_loopback_webhooks=settings.allow_loopback_webhooks,
    )
    return app.resolve(event, context)
