"""`make local`: the whole of banksync on this machine, no Docker, no AWS account.

moto serves as the embedded AWS (http://127.0.0.1:5000); the stack's
resources are provisioned from template.yaml; the HTTP API is served on
http://127.0.0.1:3000 and dispatched to the real handlers in-process, as are
the state machine's Lambda tasks and the queue and stream event sources;
schedules fire at their real times; the provider sandbox runs on loopback.
"""

import argparse
import json
import logging
import os
import secrets
import signal
import socket
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

import boto3
import httpx
from moto.server import ThreadedMotoServer

from devstack.api_docs import ApiDocs, swagger_assets
from devstack.consumer_stack import ConsumerStack, consumer_stack
from devstack.demo import DemoSubscriber, seed, seed_mono
from devstack.event_sources import SourcePump, pumps_for
from devstack.feed import ActivityFeed
from devstack.http_api import HttpApi, routes_of
from devstack.lambdas import (
    LambdaContext,
    LambdaDispatcher,
    handler_module,
    import_fresh,
    one_at_a_time,
)
from devstack.local_scheduler import LocalScheduler
from devstack.loopback import LoopbackServer
from devstack.parameters import ParameterError, parse_overrides
from devstack.pipes import PipePump, pipes_for
from devstack.providers import MonoSide, OkraSide, ProviderOptionError, mono_side, okra_side
from devstack.providers import add_options as add_provider_options
from devstack.provision import function_environment, provision
from devstack.sandbox import Sandbox, demo_world
from devstack.sandbox_mono import MonoSandbox, demo_mono_world
from devstack.template import StackTemplate

REGION = "us-east-1"
STATE_FILE = Path(".local/stack.json")


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make local", description=__doc__)
    parser.add_argument("--no-demo", action="store_true", help="start empty, seed nothing")
    parser.add_argument("--api-port", type=int, default=3000)
    parser.add_argument("--moto-port", type=int, default=5000)
    parser.add_argument("--sandbox-port", type=int, default=0, help="0: any free port")
    parser.add_argument(
        "--mono-sandbox-port", type=int, default=0, help="Mono's sandbox; 0: any free port"
    )
    parser.add_argument(
        "--ready-after",
        type=float,
        default=20.0,
        help="seconds until the sandbox's callbacks are ready",
    )
    parser.add_argument(
        "--initial-wait", type=int, default=10, help="the workflow's first Wait, in seconds"
    )
    parser.add_argument(
        "--provider-refresh-every",
        type=float,
        default=120.0,
        help="seconds between the sandbox's own refreshes of every account (Okra: daily)",
    )
    add_provider_options(parser)
    parser.add_argument("--log-level", default="WARNING", help="the functions' log level")
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="Name=Value",
        help="a template parameter, as sam deploy --parameter-overrides takes it (repeatable)",
    )
    parser.add_argument(
        "--with-example",
        action="store_true",
        help="also run examples/stream-consumer beside banksync, wired to its exports",
    )
    parser.add_argument("--state-file", type=Path, default=STATE_FILE)
    return parser.parse_args(argv)


class OfflineStack:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.stopping = threading.Event()
        self.servers: list[Any] = []
        self.handlers: dict[str, Any] = {}
        self.okra: OkraSide | None = None
        self.mono: MonoSide | None = None
        self.sandbox: Sandbox | None = None
        self.mono_sandbox: MonoSandbox | None = None
        self.subscriber: DemoSubscriber | None = None
        self.example: ConsumerStack | None = None

    def start(self) -> "OfflineStack":
        for port, flag in (
            (self.args.moto_port, "--moto-port"),
            (self.args.api_port, "--api-port"),
        ):
            if not _free(port):
                sys.exit(f"port {port} on 127.0.0.1 is in use: choose another with {flag}")
        endpoint = f"http://127.0.0.1:{self.args.moto_port}"
        _point_sdk_at(endpoint, self.args.moto_port)
        os.environ["PUBLIC_API_URL"] = f"http://127.0.0.1:{self.args.api_port}"
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.args.moto_port, verbose=False)
        moto.start()
        self.servers.append(moto)
        httpx.post(
            f"{endpoint}/moto-api/config",
            json={
                "stepfunctions": {"execute_state_machine": True},
                "lambda": {"use_docker": False},
            },
        ).raise_for_status()
        self.session = boto3.Session(region_name=REGION)
        self.token = secrets.token_urlsafe(24)
        self.template = StackTemplate.load(stack_name="banksync-local", region=REGION)
        self.template.parameters.update(
            {
                "Providers": "okra,mono",
                "AllowLoopbackWebhooks": "true",
                "LogLevel": self.args.log_level,
                "RefreshInitialWaitSeconds": str(self.args.initial_wait),
            }
        )
        try:
            overrides = parse_overrides(self.args.parameter, self.template.body["Parameters"])
        except ParameterError as error:
            sys.exit(str(error))
        self.template.parameters.update(overrides)
        self.okra, self.mono = self._providers(str(self.template.parameters["Providers"]))
        self.sandbox = self.okra.sandbox if self.okra else None
        self.mono_sandbox = self.mono.sandbox if self.mono else None
        provision(self.template, self.session, secret_values=self._secret_values())
        self._load_functions()
        self.pumps = pumps_for(self.template, self.session)
        if self.args.with_example:
            self.example = consumer_stack(self.template, self.session, self.args.log_level)
            self.handlers.update(self.example.handlers)
            self.pumps.update(self.example.pumps)
        self.pipes = pipes_for(self.template, self.session)
        self.feed = ActivityFeed(
            self.session,
            self.template.attributes["EventsTable.StreamArn"],
            self.template.attributes["DataTable.StreamArn"],
            self.template.refs["RefreshStateMachine"],
            self.sandbox,
            mono_sandbox=self.mono_sandbox,
        )
        self.scheduler = LocalScheduler(
            self.session,
            on_fire=lambda name, _: self.feed.say("schedule", f"{name} fired"),
            on_problem=lambda message: self.feed.say("schedule", message),
        )
        self._serve_api()
        # As each provider's dashboard would: webhooks to the stack's URL, with its secret.
        if self.sandbox is not None:
            self.sandbox.outbox.send_to(f"{self.api_url}/webhooks/okra", self.token)
        if self.mono is not None and self.mono.sandbox is not None:
            self.mono.sandbox.outbox.send_to(
                f"{self.api_url}/webhooks/mono", self.mono.webhook_secret
            )
        self.endpoint = endpoint
        return self

    def run(self) -> None:
        """Seed the demo, say the stack is ready, then pump until stopped."""
        if not self.args.no_demo:
            self._demo()
        # Written last, so that a state file means "ready, demo seeded": tools
        # and tests that wait for it never see a half-started stack.
        self._write_state(self.endpoint)
        while not self.stopping.is_set():
            self.step()
            self.stopping.wait(0.5)

    def step(self) -> None:
        actions = (
            self.scheduler.tick,
            self._tick_provider,
            self._pump_sources,
            self._pump_pipes,
            self.feed.poll,
        )
        for action in actions:
            try:
                action()
            except Exception as error:  # the feed reports; the stack keeps running
                self.feed.say("error", f"{type(error).__name__}: {error}")
                traceback.print_exc(file=sys.stderr)

    def stop(self) -> None:
        self.stopping.set()
        for server in reversed(self.servers):
            server.stop()
        if hasattr(self, "dispatcher_context"):
            self.dispatcher_context.__exit__(None, None, None)
        self.args.state_file.unlink(missing_ok=True)  # its token dies with this stack

    def _providers(self, switched_on: str) -> tuple[OkraSide | None, MonoSide | None]:
        """Each provider switched on: its sandbox, or the real API the options name."""
        names = {name.strip() for name in switched_on.split(",")}
        try:
            okra = okra_side(self.args, self.servers) if "okra" in names else None
            mono = mono_side(self.args, self.servers) if "mono" in names else None
        except ProviderOptionError as error:
            sys.exit(str(error))
        if okra:
            self.template.parameters["OkraBaseUrl"] = okra.base_url
        if mono:
            self.template.parameters["MonoBaseUrl"] = mono.base_url
        return okra, mono

    def _secret_values(self) -> dict[str, str]:
        values = {"WebhookTokenSecret": self.token}
        if self.okra:
            values["OkraSecretKey"] = self.okra.secret_key
        if self.mono:
            values |= {
                "MonoSecretKey": self.mono.secret_key,
                "MonoWebhookSecret": self.mono.webhook_secret,
            }
        return values

    def _load_functions(self) -> None:
        self.dispatcher = LambdaDispatcher()
        for logical_id, _ in self.template.resources("AWS::Serverless::Function"):
            os.environ.update(function_environment(self.template, logical_id))
            module, attribute = handler_module(self.template, logical_id)
            handler = one_at_a_time(getattr(import_fresh(module), attribute))
            self.handlers[logical_id] = handler
            self.dispatcher.register(self.template.refs[logical_id], handler)
        self.dispatcher_context = self.dispatcher.installed()
        self.dispatcher_context.__enter__()

    def _tick_provider(self) -> None:
        if self.sandbox is not None:
            self.sandbox.tick()
        if self.mono_sandbox is not None:
            self.mono_sandbox.tick()

    def _pump_sources(self) -> None:
        for logical_id, pumps in self.pumps.items():
            for pump in pumps:
                self._pump(logical_id, pump)

    def _pump(self, logical_id: str, pump: SourcePump) -> None:
        handler = self.handlers[logical_id]
        pump.on_drop = lambda message: self.feed.say("error", message)

        def invoke(event: dict[str, Any]) -> Any:
            try:
                return handler(event, LambdaContext(function_name=logical_id))
            except Exception as error:  # reported here; the pump retries as Lambda would
                self.feed.say("error", f"{logical_id}: {type(error).__name__}: {error}")
                raise

        delivered = pump.run_once(invoke)
        if delivered and self.example and logical_id in self.example.handlers:
            self.feed.say("consumer", f"{delivered} records passed its filter → {logical_id}")

    def _pump_pipes(self) -> None:
        events = self.session.client("events")
        for pipe in self.pipes:
            self._pump_pipe(pipe, events)

    def _pump_pipe(self, pipe: PipePump, events: Any) -> None:
        pipe.on_drop = lambda message: self.feed.say("error", message)
        pipe.on_event = self.feed.domain_event

        def enrich(logical_id: str, batch: list[dict[str, Any]]) -> Any:
            return self.handlers[logical_id](batch, LambdaContext(function_name=logical_id))

        pipe.run_once(enrich, events)

    def _serve_api(self) -> None:
        api = HttpApi(
            routes_of(self.template),
            self.handlers,
            LambdaContext,
            on_request=lambda what, status: self.feed.say("api", f"{what} → {status}"),
        )
        # /docs (Swagger UI) and /openapi.json beside the routes, on loopback too.
        server = LoopbackServer(ApiDocs(api, swagger_assets()), self.args.api_port).start()
        self.servers.append(server)
        self.api_url = server.url

    def _demo(self) -> None:
        self.subscriber = DemoSubscriber(self.feed.say).start()
        self.servers.append(self.subscriber)
        if self.okra is not None:
            customer = demo_world().accounts[0].customer_id
            seed(self.api_url, self.token, customer, self.subscriber, self.feed.say)
        if self.mono is not None and self.mono.sandbox is not None:
            customer = demo_mono_world().accounts[0].customer_id
            seed_mono(self.api_url, customer, self.subscriber, self.feed.say)

    def _refs_of(self, resource_type: str) -> dict[str, str]:
        return {
            name: self.template.refs[name] for name, _ in self.template.resources(resource_type)
        }

    def _write_state(self, endpoint: str) -> None:
        refs, attributes = self.template.refs, self.template.attributes
        state: dict[str, Any] = {
            "api_url": self.api_url,
            "webhook_url": f"{self.api_url}/webhooks/okra",
            "mono_webhook_url": f"{self.api_url}/webhooks/mono",
            "mono_webhook_secret": self.mono.webhook_secret if self.mono else None,
            "api_docs_url": f"{self.api_url}/docs",
            "webhook_token": self.token,
            "aws_endpoint_url": endpoint,
            "region": REGION,
            "tables": {
                name: refs[name] for name in ("EventsTable", "DataTable", "IdempotencyTable")
            },
            "streams": {
                "EventsTable": attributes["EventsTable.StreamArn"],
                "DataTable": attributes["DataTable.StreamArn"],
            },
            "state_machine_arn": refs["RefreshStateMachine"],
            "state_machines": self._refs_of("AWS::Serverless::StateMachine"),
            "queues": self._refs_of("AWS::SQS::Queue"),
            "schedule_group": refs["ScheduleGroup"],
            "schedules": self._refs_of("AWS::Scheduler::Schedule"),
            "event_bus": {"name": refs["EventBus"], "arn": attributes["EventBus.Arn"]},
            "parameters": dict(self.template.parameters),
            "provider_base_url": self.okra.base_url if self.okra else None,
            "providers": {
                name: side.base_url
                for name, side in (("okra", self.okra), ("mono", self.mono))
                if side is not None
            },
            # What `make invoke` runs a function with, as this stack resolved it.
            "functions": {
                logical_id: {
                    "handler": resource["Properties"]["Handler"],
                    "code_uri": resource["Properties"]["CodeUri"],
                    "environment": function_environment(self.template, logical_id),
                }
                for logical_id, resource in self.template.resources("AWS::Serverless::Function")
            },
        }
        if self.example:
            state["example"] = self.example.state()
        self.args.state_file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.args.state_file.with_suffix(".partial")
        partial.write_text(json.dumps(state, indent=2) + "\n")
        partial.replace(self.args.state_file)  # atomic: a reader never sees half a file
        print(f"banksync offline stack is up ({self.args.state_file}):")
        for key in (
            "api_url",
            "api_docs_url",
            "webhook_url",
            "webhook_token",
            "mono_webhook_url",
            "aws_endpoint_url",
        ):
            print(f"  {key:<18} {state[key]}")
        for name, base_url in state["providers"].items():
            print(f"  {name + ' API':<18} {base_url}")
        for name, table in state["tables"].items():
            print(f"  {name:<18} {table}")
        print("activity feed (Ctrl-C stops everything):", flush=True)


def _free(port: int) -> bool:
    """Whether a server can listen on ``port``. The probe binds as the servers do, with
    SO_REUSEADDR: connections of a stack stopped a moment ago linger in TIME_WAIT for
    a minute, and they hold the port against a plain bind, not against a listener."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _point_sdk_at(endpoint: str, port: int) -> None:
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "MOTO_PORT": str(port),  # moto's Step Functions engine calls back on this port
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
    )


def main(argv: list[str] | None = None) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request drowns the feed
    stack = OfflineStack(options(argv))

    def stop(signum: int, _: Any) -> None:
        print(f"\nstopping ({signal.Signals(signum).name})…", flush=True)
        stack.stopping.set()

    # Handled here rather than left to KeyboardInterrupt: a stack started in the
    # background inherits SIGINT ignored, and SIGTERM would skip the clean stop.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    try:
        stack.start()
        if not stack.stopping.is_set():
            stack.run()
    finally:
        stack.stop()
        print("stopped.", flush=True)


if __name__ == "__main__":
    main()
