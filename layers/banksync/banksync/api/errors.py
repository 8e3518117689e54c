"""Every API failure answered in the one error shape, with the field named.

What only the operator API's writes raise is answered in ``write_errors.py``.
"""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from banksync.api.params import path_problems
from banksync.api_errors import ApiError
from banksync.paging import BadTokenError


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(ApiError)
    def api_error(error: ApiError) -> Response[Any]:
        return error_response(error)

    # Every list decodes its next_token in the data layer (paging.start_key);
    # whichever list refuses one, the answer is the same 400.
    @app.exception_handler(BadTokenError)
    def bad_token(_: BadTokenError) -> Response[Any]:
        why = "is not one this API gave"  # as params.token_param says of a malformed one
        return error_response(
            ApiError(400, "invalid_request", "next_token is invalid", {"next_token": why})
        )

    @app.not_found
    def not_found(_: Exception) -> Response[Any]:
        # API Gateway routed it here, with path values Powertools' router will
        # not match (a control character, a decoded "/" or "?"): the value is
        # what is wrong, not the route.
        event = app.current_event
        problems = path_problems(event.path_parameters)
        if problems:
            return error_response(
                ApiError(400, "invalid_request", "the path has invalid values", problems)
            )
        route = f"{event.http_method} {event.path}"[:200]
        return error_response(ApiError(404, "not_found", "no such route", {"path": f"no {route}"}))


def error_response(error: ApiError) -> Response[Any]:
    return Response(
        status_code=error.status,
        content_type=content_types.APPLICATION_JSON,
        body=error.body(),
        headers=error.headers,
    )
