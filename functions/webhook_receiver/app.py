"""POST /webhooks/<provider>: each provider's webhooks, authenticated and stored once.

API Gateway routes this one route here, so the function reads the HTTP API
event as it comes instead of loading Powertools' event handler (every
resolver, asyncio included) or its event classes (their package imports every
event source's class) at each cold start, for routing that API Gateway has
already done.
"""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from banksync.api_errors import ApiError
from banksync.http import json_response
from banksync.inbound.receive import WebhookReceiver
from banksync.inbound.request import request_body
from banksync.inbound.settings import ReceiverSettings
from banksync.observability import logger, metrics

receiver = WebhookReceiver.from_settings(ReceiverSettings.from_environ())
ROUTE = "/webhooks/"


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    http = (event.get("requestContext") or {}).get("http") or {}
    method = http.get("method")
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    try:
        path = str(event.get("rawPath") or "")
        provider = path.removeprefix(ROUTE)
        if method != "POST" or not path.startswith(ROUTE) or "/" in provider:
            raise ApiError(404, "not_found", f"only POST {ROUTE}<provider> is served here")
        receipt = receiver.receive(
            provider,
            request_body(event.get("body"), bool(event.get("isBase64Encoded"))),
            headers.get("content-type"),
            headers,
            http.get("sourceIp"),
        )
    except ApiError as error:
        return error.to_response()
    return json_response(200, receipt.body())
