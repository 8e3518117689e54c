"""The operator API's answers to what only its writes raise: a body that breaks
its model, a reused or unfinished Idempotency-Key.

Apart from ``errors.py`` because only the operator API (sync_api) validates
bodies with pydantic and makes idempotent calls: the read API would otherwise
load pydantic and Powertools' idempotency utility at every cold start for
errors it never raises.
"""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from pydantic import ValidationError

from banksync.api.errors import error_response
from banksync.api_errors import ApiError


def validation_error(error: ValidationError, default_field: str = "body") -> ApiError:
    fields: dict[str, str] = {}
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]) or default_field
        message = str(problem["msg"]).removeprefix("Value error, ")
        fields.setdefault(name, message)
    return ApiError(400, "invalid_request", "the request has invalid fields", fields)


def register_write_errors(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(ValidationError)
    def invalid(error: ValidationError) -> Response[Any]:
        return error_response(validation_error(error))

    @app.exception_handler(IdempotencyValidationError)
    def reused_key(_: IdempotencyValidationError) -> Response[Any]:
        return error_response(
            ApiError(
                422,
                "idempotency_key_reused",
                "this Idempotency-Key was used with another body",
                {"idempotency-key": "already used for a different request"},
            )
        )

    @app.exception_handler(IdempotencyAlreadyInProgressError)
    def in_progress(_: IdempotencyAlreadyInProgressError) -> Response[Any]:
        return error_response(
            ApiError(
                409,
                "request_in_progress",
                "a request with this Idempotency-Key is running",
                {"idempotency-key": "a request with this key has not finished yet"},
            )
        )
