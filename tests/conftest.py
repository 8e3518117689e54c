"""Shared fixtures: an embedded AWS (moto) holding the stack built from template.yaml."""

from tests.support.stack import use_offline_environment

use_offline_environment()  # before anything creates a boto3 client or a Powertools object

from collections.abc import Iterator  # noqa: E402

import boto3  # noqa: E402
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from devstack.template import StackTemplate  # noqa: E402
from tests.support.stack import MOTO_CONFIG, provisioned_stack  # noqa: E402


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    with mock_aws(config=MOTO_CONFIG):
        yield boto3.Session(region_name="us-east-1")


@pytest.fixture
def stack(aws: boto3.Session) -> StackTemplate:
    return provisioned_stack(aws)
