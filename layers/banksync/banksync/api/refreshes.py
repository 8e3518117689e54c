"""POST /refreshes, GET /refreshes and GET /refreshes/{refresh_id}."""

from typing import Any

import boto3
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from banksync.api import described
from banksync.api.answers import RefreshAccepted, RefreshPage, RefreshView
from banksync.api.bodies import body_object
from banksync.api.params import (
    KEY_HEADER_VALUE,
    choice_param,
    idempotency_key,
    page_query,
    path_id,
    query_params,
    time_param,
)
from banksync.api.settings import ApiSettings
from banksync.aws_clients import LazyClient
from banksync.bankdata.store import BankDataStore
from banksync.refresh.listing import KINDS, RefreshListing
from banksync.refresh.ondemand import OnDemandRefreshes
from banksync.refresh.ondemand_models import RefreshRequestBody
from banksync.refresh.runs import RefreshRunStore

router = APIGatewayHttpRouter()
DEFAULT_PAGE, MAX_PAGE = 25, 100
# Retries of one POST (same caller, same Idempotency-Key, same body) start one
# execution for 24 h; another caller's identical key is another request.
idempotency_config = IdempotencyConfig(
    event_key_jmespath="[caller, idempotency_key]",
    payload_validation_jmespath="request",
    expires_after_seconds=24 * 3600,
)


class RefreshRoutes:
    def __init__(self, settings: ApiSettings, dynamodb: Any = None) -> None:
        self.public_api_url = settings.public_api_url
        # One client for every store: each more would cost its own init at cold start.
        dynamodb = dynamodb or boto3.client("dynamodb")
        runs = RefreshRunStore(settings.data_table_name, dynamodb)
        self.refreshes = OnDemandRefreshes(
            runs,
            BankDataStore(settings.data_table_name, dynamodb),
            settings.refresh_state_machine_arn,
            settings.refresh_deadline_seconds,
            LazyClient("stepfunctions"),  # only a POST starts an execution
        )
        self.listing = RefreshListing(settings.data_table_name, dynamodb)
        # Given a client, the persistence layer opens no boto3 session of its own,
        # which would load the SDK's models again at cold start.
        self._start_once = idempotent_function(
            data_keyword_argument="command",
            persistence_store=DynamoDBPersistenceLayer(
                table_name=settings.idempotency_table_name, boto3_client=dynamodb
            ),
            config=idempotency_config,
        )(self._start)

    def start(self, command: dict[str, Any]) -> dict[str, Any]:
        """Start a refresh; with an Idempotency-Key, retries answer the first result."""
        if command["idempotency_key"]:
            result: dict[str, Any] = self._start_once(command=command)
            return result
        return self._start(command)

    def _start(self, command: dict[str, Any]) -> dict[str, Any]:
        return self.refreshes.start(RefreshRequestBody.model_validate(command["request"]))


def _routes() -> RefreshRoutes:
    # The handler shares its cold-start RefreshRoutes through the resolver's context.
    routes: RefreshRoutes = router.context["refresh_routes"]
    return routes


@router.post(
    "/refreshes",
    summary="Refresh an account, or a customer's accounts, now",
    description="Starts an on-demand refresh of the products named and answers at once; "
    "follow it at status_url. With an Idempotency-Key, a retry of the same body by the "
    "same caller within 24 h answers the first result instead of starting another.",
    tags=["refreshes"],
    operation_id="startRefresh",
    responses=described.answers(
        {202: (RefreshAccepted, "started; Location is the refresh's status_url")},
        {
            409: "request_in_progress: a request with this Idempotency-Key has not finished",
            422: "idempotency_key_reused: this Idempotency-Key came with another body",
            503: "start_failed: the refresh could not be started; retry",
        },
        body=True,
        located=True,
    ),
    openapi_extensions={
        **described.json_body(RefreshRequestBody),
        **described.parameters(
            described.header(
                "Idempotency-Key",
                {"type": "string", "pattern": f"^{KEY_HEADER_VALUE.pattern}$"},
                "1 to 255 visible ASCII characters; retries with it start one refresh",
            )
        ),
    },
)
def post_refresh() -> Response[Any]:
    event = router.current_event
    query_params(event)
    key = idempotency_key(event.headers.get("idempotency-key"))
    body = RefreshRequestBody.model_validate(body_object(event))
    command = {
        "caller": _caller(event),
        "idempotency_key": key,
        "request": body.model_dump(exclude_none=True),
    }
    accepted = _routes().start(command)
    # From API Gateway's own domain name, never from client-controlled headers.
    base = _routes().public_api_url or f"https://{event.request_context.domain_name}"
    status_url = f"{base}/refreshes/{accepted['refresh_id']}"
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body={**accepted, "status_url": status_url},
        headers={"Location": status_url},
    )


@router.get(
    "/refreshes",
    summary="List refresh runs and pushed updates, newest first",
    description="Order: newest first (created_at, then refresh_id or update_id, descending).",
    tags=["refreshes"],
    operation_id="listRefreshes",
    responses=described.answers({200: (RefreshPage, "one page of runs")}, {}),
    openapi_extensions=described.parameters(
        described.time_query("since", "only runs created from then on"),
        described.query("kind", {"type": "string", "enum": list(KINDS)}, "only this kind"),
        described.query(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": DEFAULT_PAGE},
            "page size",
        ),
        described.next_token(),
    ),
)
def list_refreshes() -> dict[str, Any]:
    """Refresh runs and pushed updates, newest first; ``since`` and ``kind`` narrow it."""
    query = page_query(router.current_event, ("since", "kind"), DEFAULT_PAGE, MAX_PAGE)
    since = time_param("since", query.params.get("since"))
    kind = choice_param("kind", query.params.get("kind"), KINDS)
    found, token = _routes().listing.page(since, kind, query.limit, query.next_token)
    page: dict[str, Any] = {"items": found}
    if token:
        page["next_token"] = token
    return page


@router.get(
    "/refreshes/<refresh_id>",
    summary="A refresh's progress, item by item",
    tags=["refreshes"],
    operation_id="getRefresh",
    responses=described.answers(
        {200: (RefreshView, "the run and its items")},
        {404: "not_found: no refresh with this id"},
    ),
    openapi_extensions=described.parameters(
        described.path("refresh_id", "the refresh_id POST /refreshes answered")
    ),
)
def get_refresh(refresh_id: str) -> dict[str, Any]:
    query_params(router.current_event)
    return _routes().refreshes.status(path_id(router.current_event, "refresh_id", refresh_id))


def _caller(event: Any) -> str:
    authorizer = event.request_context.authorizer
    iam = authorizer.iam if authorizer and authorizer.get("iam") else None
    return str(iam.user_arn or iam.caller_id) if iam else "anonymous"
