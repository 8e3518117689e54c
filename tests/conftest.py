"""Shared fixtures: an embedded AWS (moto) holding the stack built from template.yaml."""

import os

# Set before anything imports boto3 or Powertools: no real credentials, no
# real region, tracing off.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "banksync",
        "POWERTOOLS_METRICS_NAMESPACE": "banksync",
    }
)

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from devstack.provision import provision
from devstack.template import StackTemplate
from tests.support.lambdas import WEBHOOK_TOKEN


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


@pytest.fixture
def stack(aws: boto3.Session) -> StackTemplate:
    """Every resource of template.yaml, created in moto from its own properties."""
    template = StackTemplate.load(region="us-east-1")
    provision(template, aws, secret_values={"WebhookTokenSecret": WEBHOOK_TOKEN})
    return template
