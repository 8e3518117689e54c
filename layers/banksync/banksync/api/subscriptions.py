"""The data-sync subscriptions API: the data-sync payload, self-service."""

from typing import Any

import boto3
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from banksync.api import subscription_docs as docs
from banksync.api.bodies import body_object
from banksync.api.params import (
    choice_param,
    identifier_param,
    limit_param,
    path_id,
    query_params,
    token_param,
)
from banksync.api.settings import ApiSettings
from banksync.aws_clients import LazyClient
from banksync.delivery.stops import PendingDeliveries
from banksync.delivery.store import DeliveryStore
from banksync.subscriptions.body import SubscriptionBody
from banksync.subscriptions.models import WEBHOOK_STATES
from banksync.subscriptions.schedules import SubscriptionSchedules
from banksync.subscriptions.service import SubscriptionService, public_view
from banksync.subscriptions.signing import SigningSecrets
from banksync.subscriptions.store import SubscriptionStore

router = APIGatewayHttpRouter()
DEFAULT_PAGE, MAX_PAGE = 25, 100


def build_service(settings: ApiSettings, dynamodb: Any = None) -> SubscriptionService:
    dynamodb = dynamodb or boto3.client("dynamodb")
    return SubscriptionService(
        SubscriptionStore(settings.data_table_name, dynamodb),
        # Only writes schedule or encrypt: the clients are made when first used.
        SubscriptionSchedules(settings.schedule_target, LazyClient("scheduler")),
        SigningSecrets(settings.signing_key_id, LazyClient("kms")),
        # Pausing or deleting stops the subscription's pending deliveries.
        halt=PendingDeliveries(DeliveryStore(settings.data_table_name, dynamodb)).stop,
    )


def _service() -> SubscriptionService:
    service: SubscriptionService = router.context["subscription_service"]
    return service


@router.post("/subscriptions", **docs.PUT_SUBSCRIPTION)
def put_subscription() -> Response[Any]:
    query_params(router.current_event)
    context = {"allow_loopback_http": router.context["allow_loopback_webhooks"]}
    body = SubscriptionBody.model_validate(body_object(router.current_event), context=context)
    saved = _service().put(body)
    return _json(201 if saved.created else 200, public_view(saved))


@router.get("/subscriptions", **docs.LIST_SUBSCRIPTIONS)
def list_subscriptions() -> dict[str, Any]:
    params = query_params(
        router.current_event, ("customer", "webhook_state", "limit", "next_token")
    )
    customer = identifier_param("customer", params.get("customer"))
    webhook_state = choice_param("webhook_state", params.get("webhook_state"), WEBHOOK_STATES)
    limit = limit_param(params.get("limit"), DEFAULT_PAGE, MAX_PAGE)
    token = token_param(params.get("next_token"))
    found, next_token = _service().page(customer, limit, token, webhook_state)
    page: dict[str, Any] = {"items": [s.public() for s in found]}
    if next_token:
        page["next_token"] = next_token
    return page


@router.get("/subscriptions/<subscription_id>", **docs.GET_SUBSCRIPTION)
def get_subscription(subscription_id: str) -> dict[str, Any]:
    query_params(router.current_event)
    return _service().get(_checked(subscription_id)).public()


@router.post("/subscriptions/<subscription_id>/pause", **docs.PAUSE_SUBSCRIPTION)
def pause_subscription(subscription_id: str) -> dict[str, Any]:
    query_params(router.current_event)
    return _service().set_state(_checked(subscription_id), "paused").public()


@router.post("/subscriptions/<subscription_id>/resume", **docs.RESUME_SUBSCRIPTION)
def resume_subscription(subscription_id: str) -> dict[str, Any]:
    query_params(router.current_event)
    return _service().set_state(_checked(subscription_id), "active").public()


@router.delete("/subscriptions/<subscription_id>", **docs.DELETE_SUBSCRIPTION)
def delete_subscription(subscription_id: str) -> Response[Any]:
    query_params(router.current_event)
    _service().delete(_checked(subscription_id))
    return Response(status_code=204)


def _checked(subscription_id: str) -> str:
    return path_id(router.current_event, "subscription_id", subscription_id)


def _json(status: int, body: dict[str, Any]) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)
