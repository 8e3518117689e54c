"""The whole scheduled path in moto on virtual time, every part of it metered.

One stack serves the GROUPS of hourly subscriptions (one account each,
balance and transactions), with a webhook URL ("hooked") and without
("plain"), of one and of SUBSCRIPTIONS. A group's tick is measured alone:
its schedules fire (the Scheduler's SendMessage), the batcher takes the
queue's batch and starts one execution, the provider's webhooks come back
through the HTTP API to the receiver and wake it (EventsTable stream → push
listener), the run stores what it fetched, and then every consumer of the
DataTable stream runs: the notifier (its template filter), the deliverer
(the delivery queue, the signed POST), and the domain-events Pipe (filter,
enrichment, event bus).
"""

import json
import os
import sys
import warnings

from tests.support.stack import use_offline_environment

use_offline_environment()
# The functions publish their metrics as they do in AWS (EMF lines: logs ingested).
os.environ["POWERTOOLS_METRICS_DISABLED"] = "false"
warnings.filterwarnings("ignore", "No application metrics to publish")

from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

import boto3  # noqa: E402
import httpx  # noqa: E402
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.core.botocore_stubber import BotocoreStubber  # noqa: E402

from banksync.delivery.sender import WebhookSender  # noqa: E402
from banksync.observability import logger  # noqa: E402
from bench.cost_aws import AwsMeter, chunks, moto_images, table_schemas  # noqa: E402
from bench.cost_lambda import Invocation, LambdaMeter, logs_counted, memory_of  # noqa: E402
from devstack.event_sources import SourcePump, pumps_for  # noqa: E402
from devstack.lambdas import LambdaContext  # noqa: E402
from devstack.pipes import pipes_for  # noqa: E402
from devstack.queues import QueuePump  # noqa: E402
from devstack.sandbox import AccountSpec, Scenario, World  # noqa: E402
from devstack.template import StackTemplate  # noqa: E402
from tests.support.lambdas import cold_start  # noqa: E402
from tests.support.push import PushHarness  # noqa: E402
from tests.support.sandbox import provider_account  # noqa: E402
from tests.support.stack import MOTO_CONFIG, provisioned_stack  # noqa: E402
from tests.support.sync import SyncHarness  # noqa: E402
from tests.support.workflow import TASK_FUNCTIONS, RefreshHarness  # noqa: E402

SUBSCRIPTIONS = int(os.environ.get("BENCH_COST_SUBSCRIPTIONS", "10"))
# Each group's name and size: the warm-up, then one and SUBSCRIPTIONS subscriptions
# with a webhook ("hooked") and without ("plain").
GROUPS = {
    "warm": 1,
    "hooked-1": 1,
    "plain-1": 1,
    "hooked": SUBSCRIPTIONS,
    "plain": SUBSCRIPTIONS,
}
HOOK = "https://hooks.example.com/banksync"
HOOK_ADDRESS = "93.184.216.34"  # a public address: the URL checks pass
READY_AFTER = 60.0


@dataclass
class Tick:
    """What one measured tick of a group used, per batch."""

    items: int
    transitions: int
    scheduler: int
    provider_calls: int
    webhooks_in: int
    pipe_requests: int
    bytes_out: int
    usage: dict[str, float] = field(default_factory=dict)
    invocations: list[Invocation] = field(default_factory=list)
    writes_by_kind: dict[str, float] = field(default_factory=dict)
    operations: dict[str, int] = field(default_factory=dict)


class MeteredStack:
    def __init__(
        self,
        stack: StackTemplate,
        sync: SyncHarness,
        push: PushHarness,
        deliveries: SourcePump,
        deliverer: ModuleType,
        enricher: ModuleType,
        aws: AwsMeter,
        lambdas: LambdaMeter,
    ) -> None:
        self.stack, self.sync, self.push, self.deliveries = stack, sync, push, deliveries
        self.deliverer, self.enricher = deliverer, enricher
        self.aws, self.lambdas = aws, lambdas
        (self.pipe,) = pipes_for(stack, sync.aws)
        if deliveries.queue is None or push.sandbox is None:
            raise ValueError("the deliverer is fed by a queue, the push path by a sandbox")
        self.delivery_queue, self.sandbox = deliveries.queue, push.sandbox
        self.events = sync.aws.client("events")
        self.started: set[str] = set()
        self.pipe_requests = self.bytes_out = 0

    def subscribe(self, group: str, webhook: bool) -> list[str]:
        ids = []
        bank = self.sync.refresh.modules["RefreshStarterFunction"].workflow.steps.bank
        for spec in self.sandbox.world.accounts:
            if spec.customer_id.rsplit("-", 1)[0] != f"cust-{group}":
                continue
            bank.register_account(provider_account(spec), "2026-11-01T00:00:00.000Z")
            body = {
                "customer": spec.customer_id,
                "products": ["balance", "transactions"],
                "interval": "one_hour",
            }
            if webhook:
                body["webhook_url"] = HOOK
            ids.append(str(self.sync.subscribe(body)["subscription_id"]))
        return ids

    def tick(self, subscriptions: list[str]) -> Tick:
        """One tick of ``subscriptions``, metered from the schedules' firing to the last
        consumer of what it stored."""
        self.settle()
        calls = len(self.sandbox.calls)
        with self.metering():
            for sid in subscriptions:
                self.sync.fire(sid)
            self.sync.deliver_due_work()
            (name,) = {e["name"] for e in self.sync.executions()} - self.started
            self.started.add(name)
            finished = self.sync.refresh.finish(name)
            if finished.status != "SUCCEEDED":
                raise RuntimeError(f"the refresh {name} ended {finished.status}")
            self.settle()
            every = [
                f"{s.name}{f' {i.name}' if i else ''}"
                for s in self.aws.schemas.values()
                for i in (None, *s.indexes)
            ]
            usage = {
                **{f"writes {t}": 0.0 for t in every},
                **{f"writes {t}": u for t, u in self.aws.capacity.writes.items()},
                **{f"reads {t}": u for t, u in self.aws.capacity.reads.items()},
                **self.aws.requests,
            }
        receivers = [i for i in self.lambdas.invocations if i.function == "WebhookReceiverFunction"]
        return Tick(
            items=2 * len(subscriptions),
            transitions=finished.transitions,
            scheduler=len(subscriptions),
            provider_calls=len(self.sandbox.calls) - calls,
            webhooks_in=len(receivers),
            pipe_requests=self.pipe_requests,
            bytes_out=self.bytes_out,
            usage=usage,
            invocations=list(self.lambdas.invocations),
            writes_by_kind=dict(self.aws.capacity.writes_by_kind),
            operations=dict(self.aws.operations),
        )

    @contextmanager
    def metering(self) -> Iterator[None]:
        self.aws.reset()
        self.lambdas.reset()
        self.pipe_requests = self.bytes_out = 0
        self.aws.active = self.lambdas.active = True
        try:
            yield
        finally:
            self.aws.active = self.lambdas.active = False

    def settle(self) -> None:
        """Every consumer of the streams and queues, until nothing moves."""
        clock = self.sync.refresh.clock
        for _ in range(200):
            before = self.lambdas.calls
            self.push.settle()
            while self.deliveries.run_once(self._deliver):
                pass
            self.pipe.run_once(self._enrich, self.events)
            if self.lambdas.calls == before:
                if not self.delivery_queue.receive_later():
                    return
                clock.advance(60)  # a delivery's next attempt, on virtual time
        raise AssertionError("the stack did not settle")

    def _deliver(self, event: dict[str, Any]) -> Any:
        return self.deliverer.lambda_handler(event, LambdaContext())

    def _enrich(self, _: str, batch: list[dict[str, Any]]) -> Any:
        if self.aws.active:
            self.pipe_requests += sum(chunks(json.dumps(record, default=str)) for record in batch)
        context = LambdaContext(function_name="EventEnricherFunction")
        return self.enricher.lambda_handler(batch, context)

    def subscriber(self, request: httpx.Request) -> httpx.Response:
        """The subscriber's endpoint: answers 200 at once."""
        if self.aws.active:
            headers = sum(len(k) + len(v) + 4 for k, v in request.headers.items())
            self.bytes_out += len(request.content) + headers
        return httpx.Response(200)


def account_specs() -> list[AccountSpec]:
    return [
        AccountSpec(
            f"acct-{group}-{i:03d}", f"cust-{group}-{i:03d}", scenario=Scenario(READY_AFTER)
        )
        for group, count in GROUPS.items()
        for i in range(count)
    ]


@contextmanager
def metered_stack() -> Iterator[MeteredStack]:
    with mock_aws(config=MOTO_CONFIG), pytest.MonkeyPatch.context() as patch:
        # Inside the mock: starting it resets boto3's default session. The functions'
        # clients come from the default session, the pumps' from ``session``; both are
        # metered from before their first client.
        boto3.setup_default_session(region_name="us-east-1")
        session = boto3.Session(region_name="us-east-1")
        lambdas = LambdaMeter(memory_of(StackTemplate.load(region="us-east-1")))
        aws = AwsMeter({}, moto_images(), lambdas)
        for metered in (boto3.DEFAULT_SESSION, session):
            aws.register(metered)
        stack = provisioned_stack(session)
        aws.schemas = table_schemas(stack)
        patch.setattr(BotocoreStubber, "__call__", lambdas.other_side(BotocoreStubber.__call__))
        patch.setattr("banksync.subscriptions.webhook_urls.resolve_host", lambda _: [HOOK_ADDRESS])
        original_deliver = QueuePump.deliver

        def polled(pump: QueuePump, handler: Any) -> Any:
            with aws.queue_poll():
                return original_deliver(pump, handler)

        patch.setattr(QueuePump, "deliver", polled)
        # The template's log level; what the functions print is counted, not shown.
        level = str(stack.body["Parameters"]["LogLevel"]["Default"])
        stack.parameters["LogLevel"] = level
        logger.setLevel(level)
        with logs_counted(lambdas):
            logger.registered_handler.setStream(sys.stdout)  # type: ignore[attr-defined]
            refresh = RefreshHarness(session, stack, patch)
            for logical_id in TASK_FUNCTIONS:
                name = stack.refs[logical_id]
                handler = refresh.dispatcher.handlers[name]
                refresh.dispatcher.handlers[name] = lambdas.wrap(logical_id, handler)
            with refresh.dispatcher.installed():
                yield _wired(stack, session, refresh, patch, aws, lambdas)


def _wired(
    stack: StackTemplate,
    session: boto3.Session,
    refresh: RefreshHarness,
    patch: pytest.MonkeyPatch,
    aws: AwsMeter,
    lambdas: LambdaMeter,
) -> MeteredStack:
    sync = SyncHarness.build(session, stack, refresh, patch)
    notifier = cold_start(stack, "NotifierFunction", patch)
    deliverer = cold_start(stack, "WebhookDelivererFunction", patch)
    notifier.notifier.clock = deliverer.deliverer.clock = refresh.now
    # Its cache of decrypted signing secrets ages on the same virtual clock.
    deliverer.deliverer.secrets._clock = lambda: refresh.clock.now
    push = PushHarness.build(sync, patch, notifier)
    enricher = cold_start(stack, "EventEnricherFunction", patch)
    modules = {
        "RefreshBatcherFunction": sync.batcher,
        "WebhookReceiverFunction": sync.receiver,
        "PushListenerFunction": push.listener,
        "PushFetcherFunction": push.fetcher,
        "NotifierFunction": notifier,
        "WebhookDelivererFunction": deliverer,
        "EventEnricherFunction": enricher,
    }
    for logical_id, module in modules.items():
        patch.setattr(module, "lambda_handler", lambdas.wrap(logical_id, module.lambda_handler))
    world = World(account_specs(), requests_per_minute=100_000, auto_refresh_seconds=None)
    sandbox = push.use(world)
    sandbox.app.wsgi_app = lambdas.other_side(  # type: ignore[method-assign]
        sandbox.app.wsgi_app, counts="provider_calls"
    )
    (deliveries,) = pumps_for(stack, session)["WebhookDelivererFunction"]
    metered = MeteredStack(stack, sync, push, deliveries, deliverer, enricher, aws, lambdas)
    sender = WebhookSender(transport=httpx.MockTransport(metered.subscriber))
    sender.send = lambdas.counted(sender.send, "webhook_posts")  # type: ignore[method-assign]
    deliverer.deliverer.sender = sender
    return metered
