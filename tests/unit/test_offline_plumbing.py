"""The offline stack's template resolution and stream retries."""

from typing import Any

import pytest

from devstack.event_sources import STREAM_ATTEMPTS, SourcePump
from devstack.parameters import ParameterError, parse_overrides
from devstack.template import StackTemplate


def test_sub_keeps_escaped_literals_and_conditions_decide() -> None:
    template = StackTemplate.load()
    assert template.resolve({"Fn::Sub": "${AWS::StackName}-${!NotAVariable}"}) == (
        "banksync-local-${NotAVariable}"
    )
    template.parameters["Stage"] = "prod"
    assert template.condition("IsProd") is True


def record(sequence: str) -> dict[str, Any]:
    return {"eventName": "INSERT", "dynamodb": {"SequenceNumber": sequence}}


def test_failed_stream_records_are_retried_then_reported() -> None:
    pulls = [[record("1"), record("2")]]
    dropped: list[str] = []
    pump = SourcePump(
        "F.Ev",
        "DynamoDB",
        lambda: pulls.pop() if pulls else [],
        None,
        [],
        10,
        on_drop=dropped.append,
    )
    seen: list[list[str]] = []

    def handler(event: dict[str, Any]) -> dict[str, Any]:
        sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        seen.append(sequences)
        return {"batchItemFailures": [{"itemIdentifier": "2"}]}  # record 2 always fails

    for _ in range(STREAM_ATTEMPTS + 1):
        pump.run_once(handler)
    assert seen == [["1", "2"], ["2"], ["2"]]
    assert dropped == ["F.Ev: record 2 failed 3 times, dropped"]


def test_parameter_overrides_are_checked_as_cloudformation_checks_them() -> None:
    declared = StackTemplate.load().body["Parameters"]
    assert parse_overrides(
        ["ProviderRatePerMinute=20", "SweepStaleAfterHours=1", "DailyRefresh=DISABLED"], declared
    ) == {"ProviderRatePerMinute": "20", "SweepStaleAfterHours": "1", "DailyRefresh": "DISABLED"}
    for bad in (
        "ProviderRate=20",
        "ProviderRatePerMinute=0",
        "ProviderRatePerMinute=lots",
        "DailyRefresh=maybe",
        "=1",
        "SweepStaleAfterHours",
    ):
        with pytest.raises(ParameterError):
            parse_overrides([bad], declared)
