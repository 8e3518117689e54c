"""One stack for the whole fuzz suite: template.yaml in moto, both HTTP functions cold-started.

Profiles: ``fuzz-bounded`` (the default, what ``make test`` runs: few examples,
the same ones every run) and ``fuzz-long`` (``make fuzz``: many examples,
fresh randomness). ``FUZZ_PROFILE`` picks one.
"""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, settings
from moto import mock_aws

from tests.fuzz.harness import FuzzStack

settings.register_profile(
    "fuzz-bounded",
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz-long",
    max_examples=1_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# The state machine engine stays off: these properties are about what the API
# answers and stores, and an execution per accepted refresh would only add threads.
FUZZ_MOTO_CONFIG: Any = {
    "stepfunctions": {"execute_state_machine": False},
    "lambda": {"use_docker": False},
}


@pytest.fixture(scope="package")
def fuzz_stack() -> Iterator[FuzzStack]:
    with mock_aws(config=FUZZ_MOTO_CONFIG), pytest.MonkeyPatch.context() as monkeypatch:
        yield FuzzStack.build(boto3.Session(region_name="us-east-1"), monkeypatch)
