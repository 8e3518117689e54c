"""The offline stack's Pipe pump: filter, batches, the enrichment's answer, the bus's limit."""

import json
from typing import Any

from devstack.pipes import PIPE_ATTEMPTS, PipePump


class Bus:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        assert len(Entries) <= 10
        self.entries += Entries
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "x"} for _ in Entries]}


def stream_record(n: int, kind: str = "wanted") -> dict[str, Any]:
    return {"eventName": "INSERT", "dynamodb": {"SequenceNumber": str(n), "kind": kind}}


def pump(records: list[dict[str, Any]], dropped: list[str]) -> PipePump:
    waiting = [records]
    return PipePump(
        name="Pipe",
        pull=lambda: waiting.pop() if waiting else [],
        filters=[{"dynamodb": {"kind": ["wanted"]}}],
        batch_size=10,
        enrichment="Enricher",
        bus_arn="arn:aws:events:us-east-1:123456789012:event-bus/b",
        source="banksync",
        detail_type="banksync.event",
        on_drop=dropped.append,
    )


def test_filtered_records_go_in_batches_and_each_answer_is_one_event() -> None:
    records = [stream_record(n) for n in range(23)] + [stream_record(99, "unrelated")]
    batches: list[int] = []

    def enrich(_: str, batch: list[dict[str, Any]]) -> Any:
        batches.append(len(batch))
        return [{"n": r["dynamodb"]["SequenceNumber"]} for r in batch[:2]]

    bus = Bus()
    assert pump(records, []).run_once(enrich, bus) == 6
    assert batches == [10, 10, 3]
    assert {(e["Source"], e["DetailType"]) for e in bus.entries} == {("banksync", "banksync.event")}
    assert [json.loads(e["Detail"])["n"] for e in bus.entries][:2] == ["0", "1"]


def test_an_empty_answer_puts_nothing() -> None:
    bus = Bus()
    answers: list[Any] = [[], {}, "", None]
    for answer in answers:

        def enrich(_: str, batch: list[dict[str, Any]], given: Any = answer) -> Any:
            return given

        assert pump([stream_record(1)], []).run_once(enrich, bus) == 0
    assert bus.entries == []


def test_more_events_than_the_bus_takes_fails_the_batch_until_it_is_dropped() -> None:
    dropped: list[str] = []
    pipe = pump([stream_record(1)], dropped)
    bus = Bus()
    for _ in range(PIPE_ATTEMPTS):
        assert pipe.run_once(lambda _, batch: [{}] * 11, bus) == 0
    assert bus.entries == []
    assert "the bus takes 10" in dropped[0]
    assert "failed 3 times, dropped" in dropped[-1]
    assert pipe.retry == []


def test_a_failed_enrichment_is_retried_with_the_same_batch() -> None:
    calls: list[list[dict[str, Any]]] = []

    def flaky(_: str, batch: list[dict[str, Any]]) -> Any:
        calls.append(batch)
        if len(calls) == 1:
            raise RuntimeError("cold")
        return [{"ok": True}]

    pipe, bus = pump([stream_record(1), stream_record(2)], []), Bus()
    assert pipe.run_once(flaky, bus) == 0
    assert pipe.run_once(flaky, bus) == 1
    assert calls[0] == calls[1]
