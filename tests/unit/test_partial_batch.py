"""Partial batch responses: only the failed records are named, all failed is raised."""

from decimal import Decimal
from typing import Any

import pytest

from banksync.partial_batch import (
    BatchFailedError,
    message_id,
    process_partial_response,
    sequence_number,
    stream_image,
)


def sqs(*ids: str) -> dict[str, Any]:
    return {"Records": [{"messageId": i, "body": i} for i in ids]}


def stream(*sequence: str) -> dict[str, Any]:
    return {
        "Records": [
            {"eventName": "INSERT", "dynamodb": {"SequenceNumber": s, "NewImage": {}}}
            for s in sequence
        ]
    }


def fail_on(*bodies: str) -> Any:
    def handle(record: dict[str, Any]) -> None:
        if (
            record.get("body") in bodies
            or record.get("dynamodb", {}).get("SequenceNumber") in bodies
        ):
            raise ValueError("cannot handle it")

    return handle


def test_a_batch_that_succeeds_names_no_failure() -> None:
    seen: list[str] = []
    answer = process_partial_response(sqs("a", "b"), lambda r: seen.append(r["body"]), message_id)
    assert answer == {"batchItemFailures": []}
    assert seen == ["a", "b"]


def test_each_failed_message_is_named_and_the_rest_are_handled() -> None:
    answer = process_partial_response(sqs("a", "b", "c"), fail_on("b"), message_id)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "b"}]}


def test_stream_records_are_named_by_sequence_number() -> None:
    answer = process_partial_response(stream("100", "200", "300"), fail_on("200"), sequence_number)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "200"}]}


def test_a_batch_whose_every_record_failed_is_raised_to_be_retried_whole() -> None:
    with pytest.raises(BatchFailedError):
        process_partial_response(sqs("a", "b"), fail_on("a", "b"), message_id)


def test_an_empty_batch_names_nothing() -> None:
    assert process_partial_response({"Records": []}, fail_on(), message_id) == {
        "batchItemFailures": []
    }


def test_a_stream_image_reads_as_powertools_data_classes_gave_it() -> None:
    record = {
        "dynamodb": {
            "NewImage": {
                "n": {"N": "12.50"},
                "s": {"S": "x"},
                "b": {"B": b"raw"},
                "ss": {"SS": ["a", "b"]},
                "m": {"M": {"l": {"L": [{"BOOL": True}, {"NULL": True}]}}},
            }
        }
    }
    assert stream_image(record, "NewImage") == {
        "n": Decimal("12.50"),
        "s": "x",
        "b": b"raw",
        "ss": {"a", "b"},
        "m": {"l": [True, None]},
    }
    assert stream_image(record, "OldImage") == {}
    assert stream_image({"eventName": "REMOVE"}, "NewImage") == {}
