"""The template's SQS and DynamoDB-stream event sources, pumped into their functions.

Each function event of type ``SQS`` or ``DynamoDB`` becomes a pump; stream
records pass the event's ``FilterCriteria`` first, as Lambda filters them.
Supported pattern operators: exact values, ``prefix``, ``exists`` and
``anything-but``; anything else is reported rather than ignored.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devstack.queues import QueuePump
from devstack.streams import StreamPump
from devstack.template import StackTemplate

Handler = Callable[[dict[str, Any]], Any]


class UnsupportedFilterError(ValueError):
    pass


def matches(pattern: Any, value: Any, present: bool = True) -> bool:
    """Whether a record ``value`` matches an event-filtering ``pattern``."""
    if isinstance(pattern, dict):
        if not present or not isinstance(value, dict):
            return False
        return all(matches(p, value.get(k), k in value) for k, p in pattern.items())
    if isinstance(pattern, list):
        return any(_matches_one(rule, value, present) for rule in pattern)
    raise UnsupportedFilterError(f"a filter value must be an object or a list: {pattern!r}")


def _matches_one(rule: Any, value: Any, present: bool) -> bool:
    if not isinstance(rule, dict):
        return present and value == rule
    ((operator, argument),) = rule.items()
    if operator == "exists":
        return present is bool(argument)
    if operator == "prefix":
        return present and isinstance(value, str) and value.startswith(argument)
    if operator == "anything-but":
        excluded = argument if isinstance(argument, list) else [argument]
        return present and value not in excluded
    raise UnsupportedFilterError(f"the offline stack does not support filter {operator!r}")


STREAM_ATTEMPTS = 3


@dataclass
class SourcePump:
    name: str
    kind: str
    pull: Callable[[], list[dict[str, Any]]] | None
    queue: QueuePump | None
    filters: list[Any]
    batch_size: int
    on_drop: Callable[[str], None] = lambda message: None
    retry: list[dict[str, Any]] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)

    def run_once(self, handler: Handler) -> int:
        """Hand over what is waiting; returns how many records went to the function."""
        if self.queue is not None:
            response = self.queue.deliver(handler)
            return 0 if response is None else 1
        records = self.retry + [r for r in (self.pull or list)() if self._wanted(r)]
        self.retry = []
        for start in range(0, len(records), self.batch_size):
            self._deliver(handler, records[start : start + self.batch_size])
        return len(records)

    def _deliver(self, handler: Handler, batch: list[dict[str, Any]]) -> None:
        """Records the function failed (by exception or batchItemFailures) are retried
        on the next pass, up to STREAM_ATTEMPTS, then reported as dropped."""
        try:
            response = handler({"Records": batch}) or {}
            failed_ids = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
            failed = [r for r in batch if _sequence(r) in failed_ids]
        except Exception as error:
            self.on_drop(f"{self.name}: {type(error).__name__}: {error}")
            failed = batch
        for record in failed:
            key = _sequence(record)
            self.attempts[key] = self.attempts.get(key, 0) + 1
            if self.attempts[key] < STREAM_ATTEMPTS:
                self.retry.append(record)
            else:
                self.on_drop(f"{self.name}: record {key} failed {STREAM_ATTEMPTS} times, dropped")

    def _wanted(self, record: dict[str, Any]) -> bool:
        return not self.filters or any(matches(f, record) for f in self.filters)


def _sequence(record: dict[str, Any]) -> str:
    return str(record.get("dynamodb", {}).get("SequenceNumber", ""))


def pumps_for(template: StackTemplate, session: Any) -> dict[str, list[SourcePump]]:
    """Function logical id → the pumps feeding it."""
    found: dict[str, list[SourcePump]] = {}
    for logical_id, resource in template.resources("AWS::Serverless::Function"):
        for name, event in resource["Properties"].get("Events", {}).items():
            if event["Type"] == "HttpApi":
                continue  # served by devstack.http_api
            props = template.resolve(event.get("Properties", {}))
            pump = _pump(f"{logical_id}.{name}", event["Type"], props, template, session)
            found.setdefault(logical_id, []).append(pump)
    return found


def _pump(
    name: str, kind: str, props: dict[str, Any], template: StackTemplate, session: Any
) -> SourcePump:
    filters = [json.loads(f["Pattern"]) for f in props.get("FilterCriteria", {}).get("Filters", [])]
    batch = int(props.get("BatchSize", 10))
    if kind == "SQS":
        arn = props["Queue"]
        url = session.client("sqs").get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]
        return SourcePump(name, kind, None, QueuePump(session, url, arn, batch), filters, batch)
    if kind == "DynamoDB":
        stream = StreamPump(session, props["Stream"], start_at_latest=True)
        return SourcePump(name, kind, stream.poll, None, filters, batch)
    raise UnsupportedFilterError(f"the offline stack cannot pump {kind} events ({name})")
