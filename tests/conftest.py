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
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devstack.provision import provision
from devstack.template import StackTemplate
from tests.support.lambdas import WEBHOOK_TOKEN
from tests.support.sandbox import SANDBOX_BASE_URL, SANDBOX_SECRET_KEY


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    # Step Functions executes our ASL; Lambda tasks run in-process (devstack.lambdas).
    config: Any = {
        "stepfunctions": {"execute_state_machine": True},
        "lambda": {"use_docker": False},
    }
    with mock_aws(config=config):
        yield boto3.Session(region_name="us-east-1")


@pytest.fixture
def stack(aws: boto3.Session) -> StackTemplate:
    """Every resource of template.yaml, created in moto from its own properties."""
    template = StackTemplate.load(region="us-east-1")
    template.parameters["OkraBaseUrl"] = SANDBOX_BASE_URL
    secrets = {"WebhookTokenSecret": WEBHOOK_TOKEN, "OkraSecretKey": SANDBOX_SECRET_KEY}
    provision(template, aws, secret_values=secrets)
    return template
