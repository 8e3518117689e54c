"""Every operator-API failure answered in the one error shape, with the field named."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from pydantic import ValidationError

from banksync.api.params import path_problems
from banksync.api_errors import ApiError


def validation_error(error: ValidationError, default_field: str = "body") -> ApiError:
    fields: dict[str, str] = {}
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]) or default_field
        message = str(problem["msg"]).removeprefix("Value error, ")
        fields.setdefault(name, message)
    return ApiError(400, "invalid_request", "the request has invalid fields", fields)


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(ApiError)
    def api_error(error: ApiError) -> Response[Any]:
        return _response(error)

    @app.exception_handler(ValidationError)
    def invalid(error: ValidationError) -> Response[Any]:
        return _response(validation_error(error))

    @app.exception_handler(IdempotencyValidationError)
    def reused_key(_: IdempotencyValidationError) -> Response[Any]:
        return _response(
            ApiError(
                422,
                "idempotency_key_reused",
                "this Idempotency-Key was used with another body",
                {"idempotency-key": "already used for a different request"},
            )
        )

    @app.exception_handler(IdempotencyAlreadyInProgressError)
    def in_progress(_: IdempotencyAlreadyInProgressError) -> Response[Any]:
        return _response(
            ApiError(
                409,
                "request_in_progress",
                "a request with this Idempotency-Key is running",
                {"idempotency-key": "a request with this key has not finished yet"},
            )
        )

    @app.not_found
    def not_found(_: Exception) -> Response[Any]:
        # API Gateway routed it here, with path values Powertools' router will
        # not match (a control character, a decoded "/" or "?"): the value is
        # what is wrong, not the route.
        event = app.current_event
        problems = path_problems(event.path_parameters)
        if problems:
            return _response(
                ApiError(400, "invalid_request", "the path has invalid values", problems)
            )
        route = f"{event.http_method} {event.path}"[:200]
        return _response(ApiError(404, "not_found", "no such route", {"path": f"no {route}"}))


def _response(error: ApiError) -> Response[Any]:
    return Response(
        status_code=error.status,
        content_type=content_types.APPLICATION_JSON,
        body=error.body(),
        headers=error.headers,
    )
