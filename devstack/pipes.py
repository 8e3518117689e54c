"""The template's event buses and EventBridge Pipes, run by the offline stack.

moto stores pipes but never runs them, so each ``AWS::Pipes::Pipe`` with a
DynamoDB-stream source becomes a pump, as Lambda's event source mappings do
(devstack.event_sources): records pass the pipe's ``FilterCriteria``, go in
batches of ``BatchSize`` to its enrichment function, and every object the
enrichment returns is put on the target bus as one event's ``detail``, with
the target's ``Source`` and ``DetailType``. As in AWS, an enrichment that
returns more events than the bus takes in one batch (10) fails the batch. A
failed batch is retried on the next pass, up to three times, then reported
(in AWS: ``MaximumRetryAttempts``, bisection, then the ``DeadLetterConfig``).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devstack.event_sources import matches
from devstack.streams import StreamPump
from devstack.template import StackTemplate

# PutEvents takes at most 10 entries; a pipe never calls its bus target with more.
BUS_BATCH_LIMIT = 10
PIPE_ATTEMPTS = 3

Enrich = Callable[[str, list[dict[str, Any]]], Any]


class PipeBatchError(RuntimeError):
    pass


class UnsupportedPipeError(ValueError):
    pass


def create_event_bus(template: StackTemplate, client: Any, logical_id: str) -> str:
    name = template.properties(logical_id).get("Name") or f"{template.stack_name}-{logical_id}"
    arn: str = client.create_event_bus(Name=name)["EventBusArn"]
    template.record(logical_id, name, Arn=arn, Name=name)
    return str(name)


def create_pipe(template: StackTemplate, client: Any, logical_id: str) -> str:
    props = template.properties(logical_id)
    name = props.get("Name") or f"{template.stack_name}-{logical_id}"[:64]
    request = {
        key: props[key]
        for key in (
            "Description",
            "SourceParameters",
            "Enrichment",
            "EnrichmentParameters",
            "TargetParameters",
        )
        if key in props
    }
    arn = client.create_pipe(
        Name=name,
        RoleArn=props["RoleArn"],
        Source=props["Source"],
        Target=props["Target"],
        **request,
    )["Arn"]
    template.record(logical_id, name, Arn=arn)
    return str(name)


@dataclass
class PipePump:
    name: str
    pull: Callable[[], list[dict[str, Any]]]
    filters: list[Any]
    batch_size: int
    enrichment: str | None  # the enrichment function's logical id
    bus_arn: str
    source: str
    detail_type: str
    on_drop: Callable[[str], None] = lambda message: None
    on_event: Callable[[dict[str, Any]], None] = lambda detail: None
    retry: list[list[dict[str, Any]]] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)

    def run_once(self, enrich: Enrich, events: Any) -> int:
        """Carry what is waiting through the pipe; returns how many events were put.
        ``events`` is an EventBridge client; ``enrich`` invokes a function by logical id."""
        wanted = [record for record in self.pull() if self.wanted(record)]
        batches = self.retry + [
            wanted[start : start + self.batch_size]
            for start in range(0, len(wanted), self.batch_size)
        ]
        self.retry = []
        return sum(self._deliver(batch, enrich, events) for batch in batches)

    def _deliver(self, batch: list[dict[str, Any]], enrich: Enrich, events: Any) -> int:
        try:
            details = self._enriched(batch, enrich)
            if details:
                self._put(details, events)
        except Exception as error:
            key = str(batch[0].get("dynamodb", {}).get("SequenceNumber", ""))
            self.attempts[key] = self.attempts.get(key, 0) + 1
            if self.attempts[key] < PIPE_ATTEMPTS:
                self.retry.append(batch)
                self.on_drop(f"{self.name}: {type(error).__name__}: {error} (will retry)")
            else:
                self.on_drop(
                    f"{self.name}: batch from record {key} failed {PIPE_ATTEMPTS} times, dropped"
                )
            return 0
        for detail in details:
            self.on_event(detail)
        return len(details)

    def _enriched(self, batch: list[dict[str, Any]], enrich: Enrich) -> list[dict[str, Any]]:
        if self.enrichment is None:
            return batch
        answer = enrich(self.enrichment, batch)
        if answer in ("", None, {}, []):
            return []  # as in AWS: an empty answer invokes no target
        if not isinstance(answer, list) or not all(isinstance(d, dict) for d in answer):
            raise PipeBatchError(f"the enrichment answered {type(answer).__name__}, not objects")
        if len(answer) > BUS_BATCH_LIMIT:
            raise PipeBatchError(
                f"the enrichment answered {len(answer)} events; the bus takes {BUS_BATCH_LIMIT}"
            )
        return answer

    def _put(self, details: list[dict[str, Any]], events: Any) -> None:
        entries = [
            {
                "Source": self.source,
                "DetailType": self.detail_type,
                "Detail": json.dumps(detail),
                "EventBusName": self.bus_arn,
            }
            for detail in details
        ]
        answer = events.put_events(Entries=entries)
        if answer.get("FailedEntryCount"):
            raise PipeBatchError(f"the bus refused {answer['FailedEntryCount']} events")

    def wanted(self, record: dict[str, Any]) -> bool:
        return not self.filters or any(matches(f, record) for f in self.filters)


def pipes_for(template: StackTemplate, session: Any) -> list[PipePump]:
    """A pump for each of the template's pipes (after provisioning)."""
    pumps = []
    for logical_id, _ in template.resources("AWS::Pipes::Pipe"):
        props = template.properties(logical_id)
        source = props.get("SourceParameters", {})
        stream = source.get("DynamoDBStreamParameters")
        if stream is None:
            raise UnsupportedPipeError(
                f"the offline stack pumps DynamoDB-stream pipes only ({logical_id})"
            )
        target = props.get("TargetParameters", {}).get("EventBridgeEventBusParameters")
        if target is None:
            raise UnsupportedPipeError(
                f"the offline stack pumps pipes to event buses only ({logical_id})"
            )
        filters = [
            json.loads(f["Pattern"]) for f in source.get("FilterCriteria", {}).get("Filters", [])
        ]
        pull = StreamPump(
            session, props["Source"], start_at_latest=stream.get("StartingPosition") == "LATEST"
        )
        pumps.append(
            PipePump(
                name=logical_id,
                pull=pull.poll,
                filters=filters,
                batch_size=min(int(stream.get("BatchSize", 1)), BUS_BATCH_LIMIT),
                enrichment=_function_of(template, props.get("Enrichment")),
                bus_arn=props["Target"],
                source=str(target.get("Source", "")),
                detail_type=str(target.get("DetailType", "")),
            )
        )
    return pumps


def _function_of(template: StackTemplate, arn: str | None) -> str | None:
    if arn is None:
        return None
    for logical_id, _ in template.resources("AWS::Serverless::Function"):
        if template.attributes.get(f"{logical_id}.Arn") == arn:
            return logical_id
    raise UnsupportedPipeError(f"the pipe's enrichment {arn} is none of the template's functions")
