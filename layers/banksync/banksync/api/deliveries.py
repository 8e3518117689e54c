"""The attempt log and its operations: list and read deliveries, replay one, recover a
window, rotate a subscription's signing secret."""

from datetime import timedelta
from typing import Any

import boto3
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    idempotent_function,
)

from banksync.api import subscription_docs as docs
from banksync.api.bodies import body_object, whole_number
from banksync.api.params import (
    choice_param,
    idempotency_key,
    page_query,
    path_id,
    query_params,
    time_param,
)
from banksync.api.refreshes import idempotency_config
from banksync.api.settings import ApiSettings
from banksync.api_errors import ApiError
from banksync.delivery.model import STATUSES
from banksync.delivery.queue import DeliveryQueue
from banksync.delivery.replay import Replays
from banksync.delivery.replay_store import ReplayStore
from banksync.delivery.settings import DeliveryApiSettings
from banksync.delivery.windows import WindowCounter
from banksync.subscriptions.service import SubscriptionService
from banksync.subscriptions.store import SubscriptionStore

router = APIGatewayHttpRouter()
DEFAULT_PAGE, MAX_PAGE = 25, 100
MAX_OVERLAP_HOURS = 24 * 7


class DeliveryRoutes:
    def __init__(
        self,
        settings: ApiSettings,
        delivery: DeliveryApiSettings,
        dynamodb: Any = None,
        sqs: Any = None,
    ) -> None:
        dynamodb = dynamodb or boto3.client("dynamodb")
        self.deliveries = ReplayStore(settings.data_table_name, dynamodb)
        self.replays = Replays(
            self.deliveries,
            SubscriptionStore(settings.data_table_name, dynamodb),
            DeliveryQueue(delivery.delivery_queue_url, sqs),
            WindowCounter(settings.data_table_name, dynamodb),
            delivery.replays_per_minute,
        )
        self.secret_overlap_hours = delivery.secret_overlap_hours
        self.public_api_url = settings.public_api_url
        # Retries of one POST (same caller, Idempotency-Key and request) queue once;
        # the shared client spares the persistence layer a boto3 session of its own.
        self._replay_once = idempotent_function(
            data_keyword_argument="command",
            persistence_store=DynamoDBPersistenceLayer(
                table_name=settings.idempotency_table_name, boto3_client=dynamodb
            ),
            config=idempotency_config,
        )(self._replay)

    def replay(self, command: dict[str, Any]) -> dict[str, Any]:
        if command["idempotency_key"]:
            result: dict[str, Any] = self._replay_once(command=command)
            return result
        return self._replay(command)

    def _replay(self, command: dict[str, Any]) -> dict[str, Any]:
        request = command["request"]
        if request["action"] == "retry":
            return self.replays.retry(request["delivery_id"])
        return self.replays.recover(
            request["subscription_id"], request["since"], request.get("until")
        )


def _routes() -> DeliveryRoutes:
    routes: DeliveryRoutes = router.context["delivery_routes"]
    return routes


@router.get("/subscriptions/<subscription_id>/deliveries", **docs.LIST_DELIVERIES)
def list_deliveries(subscription_id: str) -> dict[str, Any]:
    event = router.current_event
    sid = path_id(event, "subscription_id", subscription_id)
    query = page_query(event, ("status", "since"), DEFAULT_PAGE, MAX_PAGE)
    status = choice_param("status", query.params.get("status"), STATUSES)
    since = time_param("since", query.params.get("since"))
    limit, next_token = query.limit, query.next_token
    routes = _routes()
    if routes.replays.subscriptions.get(sid) is None:
        raise ApiError(404, "not_found", f"no subscription {sid}", {"subscription_id": "unknown"})
    found, token = routes.deliveries.page(sid, status, since, limit, next_token)
    page: dict[str, Any] = {"items": [delivery.summary() for delivery in found]}
    if token:
        page["next_token"] = token
    return page


@router.get("/deliveries/<delivery_id>", **docs.GET_DELIVERY)
def get_delivery(delivery_id: str) -> dict[str, Any]:
    event = router.current_event
    query_params(event)
    found = _routes().deliveries.find(path_id(event, "delivery_id", delivery_id))
    if found is None:
        raise ApiError(404, "not_found", f"no delivery {delivery_id}", {"delivery_id": "unknown"})
    return found.detail()


@router.post("/deliveries/<delivery_id>/retry", **docs.RETRY_DELIVERY)
def retry_delivery(delivery_id: str) -> Response[Any]:
    event = router.current_event
    did = path_id(event, "delivery_id", delivery_id)
    query_params(event)
    key = idempotency_key(event.headers.get("idempotency-key"))
    _no_fields(body_object(event, optional=True), ())
    request = {"action": "retry", "delivery_id": did}
    answer = _routes().replay(_command(event, key, request))
    return _accepted(answer, f"/deliveries/{did}")


@router.post("/subscriptions/<subscription_id>/recover", **docs.RECOVER_DELIVERIES)
def recover_deliveries(subscription_id: str) -> Response[Any]:
    event = router.current_event
    sid = path_id(event, "subscription_id", subscription_id)
    query_params(event)
    key = idempotency_key(event.headers.get("idempotency-key"))
    body = body_object(event)
    _no_fields(body, ("since", "until"))
    since = _time_field(body, "since", required=True)
    until = _time_field(body, "until", required=False)
    if since and until and until <= since:
        raise ApiError(
            400, "invalid_request", "until is invalid", {"until": "must be later than since"}
        )
    request = {"action": "recover", "subscription_id": sid, "since": since, "until": until}
    answer = _routes().replay(_command(event, key, request))
    return _accepted(answer, f"/subscriptions/{sid}/deliveries?status=pending")


@router.post("/subscriptions/<subscription_id>/rotate-secret", **docs.ROTATE_SECRET)
def rotate_secret(subscription_id: str) -> Response[Any]:
    """Not idempotent by key: the answer holds the new secret, which is stored nowhere
    but in KMS ciphertext (a key's saved answer would keep it in plain text)."""
    event = router.current_event
    sid = path_id(event, "subscription_id", subscription_id)
    query_params(event)
    body = body_object(event, optional=True)
    _no_fields(body, ("overlap_hours",))
    hours = whole_number(body, "overlap_hours", _routes().secret_overlap_hours, MAX_OVERLAP_HOURS)
    service: SubscriptionService = router.context["subscription_service"]
    subscription, secret = service.rotate_secret(sid, timedelta(hours=hours))
    answer = {
        "subscription_id": sid,
        "signing_secret": secret,
        "previous_secret_expires_at": subscription.previous_secret_expires_at,
        "version": subscription.version,
    }
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body={k: v for k, v in answer.items() if v is not None},
        headers={"Cache-Control": "no-store"},
    )


def _command(event: Any, key: str | None, request: dict[str, Any]) -> dict[str, Any]:
    authorizer = event.request_context.authorizer
    iam = authorizer.iam if authorizer and authorizer.get("iam") else None
    caller = str(iam.user_arn or iam.caller_id) if iam else "anonymous"
    return {"caller": caller, "idempotency_key": key, "request": request}


def _no_fields(body: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ApiError(
            400, "invalid_request", f"{unknown[0]} is not a field", {unknown[0]: "unknown field"}
        )


def _time_field(body: dict[str, Any], name: str, required: bool) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ApiError(
            400,
            "invalid_request",
            f"{name} is invalid",
            {name: "must be an ISO-8601 time, e.g. 2026-12-01T00:00:00Z"},
        )
    return time_param(name, value)


def _accepted(answer: dict[str, Any], path: str) -> Response[Any]:
    event = router.current_event
    base = _routes().public_api_url or f"https://{event.request_context.domain_name}"
    url = f"{base}{path}"
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body={**answer, "status_url": url},
        headers={"Location": url},
    )
