"""Shared fixtures: an embedded AWS (moto) holding the stack built from template.yaml."""

from tests.support.stack import use_offline_environment

use_offline_environment()  # before anything creates a boto3 client or a Powertools object

from tests.support import aws_calls  # noqa: E402

aws_calls.install()  # before any botocore session: every session then records its calls

import os  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import boto3  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from moto import mock_aws  # noqa: E402

from devstack.template import StackTemplate  # noqa: E402
from tests.support.stack import MOTO_CONFIG, provisioned_stack  # noqa: E402

# Judges the AWS calls of the directories that opt in (tests/integration).
pytest_plugins = ["tests.support.aws_call_plugin"]

# `make test` runs a bounded, deterministic slice of every property; `make fuzz`
# (HYPOTHESIS_PROFILE=fuzz) runs them long, with fresh randomness.
settings.register_profile("ci", max_examples=60, derandomize=True, deadline=None)
settings.register_profile(
    "fuzz",
    max_examples=5_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    with mock_aws(config=MOTO_CONFIG):
        yield boto3.Session(region_name="us-east-1")


@pytest.fixture
def stack(aws: boto3.Session) -> StackTemplate:
    return provisioned_stack(aws)
