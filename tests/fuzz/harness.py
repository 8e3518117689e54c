"""The fuzz suite's stack: the real handlers in moto, reached as API Gateway and as the
offline stack's HTTP layer reach them, and a view of everything they store."""

import base64
import json
import os
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from hypothesis import settings
from moto.core.models import DEFAULT_ACCOUNT_ID as ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from werkzeug.test import EnvironBuilder, run_wsgi_app

from devstack.http_api import HttpApi, routes_of
from devstack.lambdas import LambdaContext
from devstack.template import StackTemplate
from tests.fuzz.read_cases import seed_bank_data
from tests.support.lambdas import cold_start, invoke, load_event
from tests.support.stack import provisioned_stack
from tests.unit.test_subscription_rules import resolve

# The store is everything a request could leave behind: items, executions,
# schedules, queued messages.
TABLES = ("EventsTable", "DataTable", "IdempotencyTable")
QUEUES = ("DueRefreshQueue", "PushQueue", "DeliveryQueue")
SEED_SUBSCRIPTION = {"customer": "fuzz-seed-customer", "products": ["balance"]}
SEED_ACCOUNT = "6740a2b3c4d5e6f7a8000c01"


def fuzz_settings(examples_in_bounded_run: int) -> settings:
    """The profile ``FUZZ_PROFILE`` names (see conftest.py); a bounded run takes
    ``examples_in_bounded_run`` examples of this property."""
    chosen = settings.get_profile(os.environ.get("FUZZ_PROFILE", "fuzz-bounded"))
    if chosen.derandomize:
        return settings(chosen, max_examples=examples_in_bounded_run)
    return chosen


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the JSON answer, None when there was no body, the text when not JSON
    headers: dict[str, str]

    @property
    def error(self) -> dict[str, Any]:
        error: dict[str, Any] = self.body["error"]
        return error


def sandboxed_providers() -> Any:
    """Mono's client on Mono's sandbox (its API is not reachable from a test)."""
    from banksync.mono.client import MonoClient
    from banksync.provider.secret import SecretKey
    from banksync.provider_registry import build_provider
    from devstack.sandbox_mono import MonoSandbox

    sandbox = MonoSandbox()

    def build(settings: Any) -> Any:
        if settings.name == "mono":
            key = SecretKey(settings.secret_key_arn)
            return MonoClient(settings.base_url, key, transport=sandbox.transport())
        return build_provider(settings)

    return build


@dataclass(repr=False)
class FuzzStack:
    aws: boto3.Session
    stack: StackTemplate
    receiver: ModuleType
    api: ModuleType
    http: HttpApi
    seeded: dict[str, str]
    clients: dict[str, Any] = field(default_factory=dict)
    reads: ModuleType | None = None

    def __repr__(self) -> str:  # a falsifying example prints it: not the whole template
        return f"FuzzStack(seeded={self.seeded})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis's printer
        printer.text(repr(self))

    @classmethod
    def build(cls, aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> "FuzzStack":
        stack = provisioned_stack(aws)
        monkeypatch.setattr("banksync.subscriptions.webhook_urls.resolve_host", resolve)
        monkeypatch.setattr("banksync.provider_desk.build_provider", sandboxed_providers())
        receiver = cold_start(stack, "WebhookReceiverFunction", monkeypatch)
        api = cold_start(stack, "SyncApiFunction", monkeypatch)
        reads = cold_start(stack, "ReadApiFunction", monkeypatch)
        handlers = {
            "WebhookReceiverFunction": receiver.lambda_handler,
            "SyncApiFunction": api.lambda_handler,
            "ReadApiFunction": reads.lambda_handler,
        }
        fuzz = cls(
            aws, stack, receiver, api, HttpApi(routes_of(stack), handlers, LambdaContext), {}
        )
        fuzz.reads = reads
        fuzz.seed()
        return fuzz

    def seed(self) -> None:
        """One subscription, one refresh and one sweep, for paths that name them."""
        made = {
            "subscription_id": self.post("/subscriptions", SEED_SUBSCRIPTION),
            "refresh_id": self.post("/refreshes", {"account_id": SEED_ACCOUNT}),
            "sweep_id": self.post("/sweeps", {}),
        }
        for name, answer in made.items():
            assert answer.status in (201, 202), answer
            self.seeded[name] = answer.body[name]
        # No notification is ever made here: a well-formed id that names none.
        self.seeded["delivery_id"] = "msg_" + "0" * 26
        self.seeded |= seed_bank_data(self.aws, self.stack)

    def post(self, path: str, body: dict[str, Any]) -> Answer:
        event = load_event("refreshes_post_account.json")
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["routeKey"] = event["requestContext"]["routeKey"] = f"POST {path}"
        event["headers"].pop("idempotency-key")
        event["body"] = json.dumps(body)
        return self.through_lambda(event)

    def through_lambda(self, event: dict[str, Any]) -> Answer:
        """As API Gateway invokes the function."""
        module = self.receiver if event["routeKey"].startswith("POST /webhooks/") else self.api
        if event["routeKey"].startswith(("GET /accounts", "GET /customers")) and self.reads:
            module = self.reads  # the read API's own function
        result = invoke(module, event)
        raw = result.get("body") or ""
        if result.get("isBase64Encoded"):
            raw = base64.b64decode(raw).decode()
        return Answer(
            int(result["statusCode"]), _json_or_text(raw), dict(result.get("headers") or {})
        )

    def through_http(
        self, method: str, path: str, query: bytes, headers: dict[str, str], body: bytes
    ) -> Answer:
        """As a client reaches the offline stack: ``path`` percent-encoded, ``query`` as sent."""
        environ = EnvironBuilder(
            path=path, method=method, headers=list(headers.items()), data=body
        ).get_environ()
        # Raw, as a WSGI server hands the request line over (latin-1), so that
        # bytes that are not UTF-8 reach the HTTP layer untouched.
        environ["QUERY_STRING"] = query.decode("latin-1")
        app_iter, status, response_headers = run_wsgi_app(self.http, environ, buffered=True)
        raw = b"".join(app_iter).decode()
        return Answer(int(status.split()[0]), _json_or_text(raw), dict(response_headers))

    def snapshot(self) -> dict[str, Any]:
        """Everything stored. The tables are read from moto's own backend: a Scan
        through the API costs ten times as much, and a snapshot is taken for
        every example."""
        sqs = self._client("sqs")
        sfn, scheduler = self._client("stepfunctions"), self._client("scheduler")
        tables = dynamodb_backends[ACCOUNT_ID]["us-east-1"]
        view: dict[str, Any] = {}
        for table in TABLES:
            items = tables.get_table(self.stack.refs[table]).all_items()
            # A provider call the answer refused still took its budget token: not data.
            kept = (i for i in items if not str(i.hash_key.value).startswith("BUDGET"))
            view[table] = sorted(json.dumps(item.to_json(), sort_keys=True) for item in kept)
        machine = self.stack.refs["RefreshStateMachine"]
        executions = sfn.get_paginator("list_executions").paginate(stateMachineArn=machine)
        view["executions"] = sorted(e["name"] for page in executions for e in page["executions"])
        group = self.stack.refs["ScheduleGroup"]
        schedules = scheduler.get_paginator("list_schedules").paginate(GroupName=group)
        view["schedules"] = sorted(
            (s["Name"], s["State"]) for page in schedules for s in page["Schedules"]
        )
        for queue in QUEUES:
            attributes = sqs.get_queue_attributes(
                QueueUrl=self.stack.refs[queue], AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]
            view[queue] = attributes["ApproximateNumberOfMessages"]
        return view

    def event_items(self) -> list[dict[str, Any]]:
        table = self.stack.refs["EventsTable"]
        pages = self._client("dynamodb").get_paginator("scan").paginate(TableName=table)
        return [item for page in pages for item in page["Items"]]

    def _client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = self.aws.client(service)  # type: ignore[call-overload]
        return self.clients[service]


def encoded_path(template: str, values: dict[str, str]) -> str:
    """The route with each value percent-encoded, as a client sends it."""
    path = template
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return path


def _json_or_text(raw: str) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw
