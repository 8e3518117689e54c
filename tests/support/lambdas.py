"""Loading a function as Lambda would: its environment from the template, a fresh import."""

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aws_lambda_powertools.utilities import parameters

from devstack.lambdas import LambdaContext, handler_module, import_fresh
from devstack.provision import function_environment
from devstack.template import StackTemplate

EVENTS = Path(__file__).resolve().parents[2] / "events"
# The token the event fixtures carry; tests store it as the webhook secret.
WEBHOOK_TOKEN = "local-dev-webhook-token"


def cold_start(
    stack: StackTemplate, logical_id: str, monkeypatch: pytest.MonkeyPatch
) -> ModuleType:
    """Import the function's handler module anew, with the environment the template gives it."""
    for name, value in function_environment(stack, logical_id).items():
        monkeypatch.setenv(name, value)
    parameters.clear_caches()
    module, _ = handler_module(stack, logical_id)
    return import_fresh(module)


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event


def invoke(handler_module: ModuleType, event: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = handler_module.lambda_handler(
        event, LambdaContext(function_name="banksync-test")
    )
    return response


def json_body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def http_event(
    method: str,
    path: str,
    body: Any = None,
    query: dict[str, str] | None = None,
    route: str | None = None,
) -> dict[str, Any]:
    """An IAM-authorised HTTP API (v2) event like events/refreshes_get.json, for ``path``."""
    event = load_event("refreshes_get.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["routeKey"] = event["requestContext"]["routeKey"] = route or f"{method} {path}"
    event.pop("pathParameters", None)
    if query:
        event["queryStringParameters"] = query
        event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in query.items())
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
        event["headers"]["content-type"] = "application/json"
    return event
