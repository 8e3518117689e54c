"""POST /sweeps (start the daily sweep now) and GET /sweeps/{sweep_id} (its progress)."""

import secrets
from typing import Any

import boto3
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from botocore.exceptions import BotoCoreError, ClientError

from banksync.api import described
from banksync.api.answers import MAX_STALE_HOURS as MAX_STALE_HOURS  # the body's bound
from banksync.api.answers import SweepAccepted, SweepRequestBody, SweepView
from banksync.api.bodies import body_object, whole_number
from banksync.api.params import path_id, query_params
from banksync.api.settings import ApiSettings
from banksync.api_errors import ApiError
from banksync.sweep.pages import SweepLauncher, SweepQueue
from banksync.sweep.progress import SweepProgress
from banksync.sweep.store import SweepStore

router = APIGatewayHttpRouter()


class SweepRoutes:
    def __init__(self, settings: ApiSettings, dynamodb: Any = None, sqs: Any = None) -> None:
        dynamodb = dynamodb or boto3.client("dynamodb")
        self.sweeps = SweepStore(settings.data_table_name, dynamodb)
        self.queue = SweepQueue(settings.due_refresh_queue_url, sqs or boto3.client("sqs"))
        self.default_stale_hours = settings.sweep_stale_after_hours
        self.progress = SweepProgress(self.sweeps, settings.data_table_name, dynamodb)
        self.public_api_url = settings.public_api_url

    def launcher(self, stale_after_hours: int) -> SweepLauncher:
        return SweepLauncher(self.sweeps, self.queue, stale_after_hours)


def _routes() -> SweepRoutes:
    routes: SweepRoutes = router.context["sweep_routes"]
    return routes


@router.post(
    "/sweeps",
    summary="Start the daily sweep now",
    description="Queues a refresh of every account whose data is older than "
    "stale_after_hours (the body is optional); follow it at status_url.",
    tags=["sweeps"],
    operation_id="startSweep",
    responses=described.answers(
        {202: (SweepAccepted, "queueing; Location is the sweep's status_url")},
        {
            409: "sweep_running: another sweep is still queueing; `fields` gives its "
            "sweep_id and status_url",
            503: "sweep_not_started: the sweep could not be started; retry",
        },
        body=True,
        located=True,
    ),
    openapi_extensions=described.json_body(SweepRequestBody, required=False),
)
def post_sweep() -> Response[Any]:
    query_params(router.current_event)
    body = body_object(router.current_event, optional=True)
    routes = _routes()
    stale_hours = _stale_hours(body, routes.default_stale_hours)
    sweep_id = f"sw_{secrets.token_hex(10)}"
    try:
        launched = routes.launcher(stale_hours).launch(sweep_id, "operator")
    except (BotoCoreError, ClientError):
        raise ApiError(503, "sweep_not_started", "the sweep could not be started; retry") from None
    if not launched:
        running = routes.sweeps.current() or ""
        raise ApiError(
            409,
            "sweep_running",
            f"sweep {running} is still queueing; follow its status_url",
            {"sweep_id": running, "status_url": _status_url(running)},
        )
    url = _status_url(sweep_id)
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body={"sweep_id": sweep_id, "status": "queueing", "status_url": url},
        headers={"Location": url},
    )


@router.get(
    "/sweeps/<sweep_id>",
    summary="A sweep's progress",
    tags=["sweeps"],
    operation_id="getSweep",
    responses=described.answers(
        {200: (SweepView, "accounts considered and queued, items by status")},
        {404: "not_found: no sweep with this id"},
    ),
    openapi_extensions=described.parameters(
        described.path("sweep_id", "the sweep_id POST /sweeps answered")
    ),
)
def get_sweep(sweep_id: str) -> dict[str, Any]:
    query_params(router.current_event)
    report = _routes().progress.report(path_id(router.current_event, "sweep_id", sweep_id))
    if report is None:
        raise ApiError(404, "not_found", f"no sweep {sweep_id}", {"sweep_id": "unknown"})
    return report


def _stale_hours(body: dict[str, Any], default: int) -> int:
    unknown = set(body) - {"stale_after_hours"}
    if unknown:
        name = sorted(unknown)[0]
        raise ApiError(400, "invalid_request", f"{name} is not a field", {name: "unknown field"})
    return whole_number(body, "stale_after_hours", default, MAX_STALE_HOURS)


def _status_url(sweep_id: str) -> str:
    event = router.current_event
    base = _routes().public_api_url or f"https://{event.request_context.domain_name}"
    return f"{base}/sweeps/{sweep_id}"
