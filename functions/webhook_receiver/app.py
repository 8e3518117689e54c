"""POST /webhooks/okra: the provider's webhooks, authenticated and stored once.

API Gateway routes this one route here, so the function takes the event as
a data class instead of loading Powertools' event handler: its package import
(every resolver, asyncio included) measured ~20 ms more per cold start on the
provider-facing path, for routing that API Gateway has already done.
"""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.api_errors import ApiError
from banksync.http import json_response
from banksync.inbound.receive import WebhookReceiver
from banksync.inbound.request import request_body
from banksync.inbound.settings import ReceiverSettings
from banksync.observability import logger, metrics, tracer

receiver = WebhookReceiver.from_settings(ReceiverSettings.from_environ())
ROUTE = "/webhooks/okra"


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=APIGatewayProxyEventV2)
def lambda_handler(event: APIGatewayProxyEventV2, context: LambdaContext) -> dict[str, Any]:
    try:
        if event.request_context.http.method != "POST" or event.raw_path != ROUTE:
            raise ApiError(404, "not_found", f"only POST {ROUTE} is served here")
        receipt = receiver.receive(
            request_body(event.body, bool(event.is_base64_encoded)),
            event.headers.get("content-type"),
            event.headers.get("authorization"),
        )
    except ApiError as error:
        return error.to_response()
    return json_response(200, receipt.body())
