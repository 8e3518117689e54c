"""`make invoke FUNCTION=… EVENT=…`: one function's handler, run once with an event file,
against the resources of the running offline stack (`make local`), with no Docker.

What `sam local invoke -e events/<x>.json <Function>` does in a container, this does
in a fresh process: the function's environment from the template as the running stack
resolved it (its tables, queues, secrets, state machine), the SDK pointed at the
stack's embedded AWS, a fresh import of the handler module, one call, and the answer
printed as JSON. A raised error prints as Lambda reports one, and exits 1.
"""

import argparse
import contextlib
import importlib
import json
import os
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any

from devstack.context import LambdaContext

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"
STATE_FILE = Path(".local/stack.json")
# The bearer token the webhook events carry; the running stack has its own.
EVENT_WEBHOOK_TOKEN = "local-dev-webhook-token"  # noqa: S105 (a placeholder, not a secret)

# Every function's sample events, its usual one first (`sam local invoke -e` takes any).
FUNCTION_EVENTS: dict[str, tuple[str, ...]] = {
    "WebhookReceiverFunction": (
        "webhook_auth_success.json",
        "webhook_balance_success.json",
        "webhook_periodic_transactions.json",
        "webhook_bad_token.json",
    ),
    "RefreshStarterFunction": ("refresh_start.json",),
    "CallbackPollerFunction": ("callback_poll.json",),
    "RefreshAborterFunction": ("refresh_abort.json",),
    "SyncApiFunction": (
        "refreshes_post_account.json",
        "refreshes_post_customer.json",
        "refreshes_get.json",
    ),
    "ReadApiFunction": ("read_api_account_get.json",),
    "AuthListenerFunction": ("events_table_auth_success.json",),
    "PushListenerFunction": ("events_table_balance_success.json",),
    "PushFetcherFunction": ("push_fetch.json",),
    "NotifierFunction": ("data_table_item_finished.json",),
    "WebhookDelivererFunction": ("delivery_attempt.json",),
    "RefreshBatcherFunction": ("due_refresh_batch.json",),
    "EventEnricherFunction": ("pipe_enrichment_batch.json",),
}


class InvokeError(RuntimeError):
    """The invocation cannot be set up (no stack, an unknown function or event)."""


def logical_id(name: str, functions: dict[str, Any]) -> str:
    """``WebhookReceiverFunction``, or its folder's name, ``webhook_receiver``."""
    if name in functions:
        return name
    for candidate, spec in functions.items():
        if spec["code_uri"].rstrip("/").rsplit("/", 1)[-1] == name:
            return candidate
    raise InvokeError(f"no function {name!r}; one of: {', '.join(sorted(functions))}")


def load_event(name: str | None, function: str) -> tuple[Path, Any]:
    path = Path(name) if name else EVENTS / FUNCTION_EVENTS[function][0]
    if not path.exists() and (EVENTS / path.name).exists():
        path = EVENTS / path.name
    if not path.exists():
        raise InvokeError(f"no event file {path}")
    return path, json.loads(path.read_text())


def with_stack_token(event: Any, token: str) -> Any:
    """A webhook event carrying the placeholder token carries the stack's instead,
    as the provider's dashboard would send it."""
    headers = event.get("headers") if isinstance(event, dict) else None
    if (
        isinstance(headers, dict)
        and headers.get("authorization") == f"Bearer {EVENT_WEBHOOK_TOKEN}"
    ):
        print("(the event's webhook token replaced by the running stack's)", file=sys.stderr)
        return {**event, "headers": {**headers, "authorization": f"Bearer {token}"}}
    return event


def environment(state: dict[str, Any], function: str) -> dict[str, str]:
    """The function's variables, and the SDK pointed at the stack's embedded AWS."""
    endpoint = state["aws_endpoint_url"]
    return {
        **state["functions"][function]["environment"],
        "AWS_ENDPOINT_URL": endpoint,
        "MOTO_PORT": endpoint.rsplit(":", 1)[-1],
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": state["region"],
        "AWS_REGION": state["region"],
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "AWS_LAMBDA_FUNCTION_NAME": function,
        "PUBLIC_API_URL": state["api_url"],
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }


def invoke(function_name: str, event_name: str | None, state_file: Path) -> Any:
    if not state_file.exists():
        raise InvokeError(f"no running stack ({state_file} is missing): start `make local` first")
    state = json.loads(state_file.read_text())
    function = logical_id(function_name, state["functions"])
    path, event = load_event(event_name, function)
    print(
        f"invoking {function} with {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}",
        file=sys.stderr,
    )
    os.environ.update(environment(state, function))
    # Metrics are off here, as in the offline stack: Powertools says so at every flush.
    warnings.filterwarnings("ignore", "No application metrics to publish")
    spec = state["functions"][function]
    module, attribute = spec["handler"].rsplit(".", 1)
    package = spec["code_uri"].strip("/").replace("/", ".")
    # The function's own logs go to stderr, as sam local invoke shows them; stdout
    # carries the answer alone.
    with contextlib.redirect_stdout(sys.stderr):
        handler = getattr(importlib.import_module(f"{package}.{module}"), attribute)
        return handler(
            with_stack_token(event, state["webhook_token"]), LambdaContext(function_name=function)
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make invoke", description=__doc__)
    parser.add_argument("function", help="WebhookReceiverFunction, or its folder: webhook_receiver")
    parser.add_argument("event", nargs="?", help="an events/ file (default: the function's first)")
    parser.add_argument("--state-file", type=Path, default=STATE_FILE)
    args = parser.parse_args(argv)
    try:
        answer = invoke(args.function, args.event, args.state_file)
    except InvokeError as error:
        print(error, file=sys.stderr)
        return 2
    except Exception as error:  # shown as Lambda shows a function error
        failure = {
            "errorType": type(error).__name__,
            "errorMessage": str(error),
            "stackTrace": traceback.format_exception(error)[-3:],
        }
        print(json.dumps(failure, indent=2))
        return 1
    print(json.dumps(answer, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
