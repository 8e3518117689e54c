"""The stack as tests (and benchmarks) see it: template.yaml provisioned into moto."""

import os
from typing import Any

import boto3

from devstack.provision import provision
from devstack.sandbox_mono import SANDBOX_SECRET_KEY as MONO_SANDBOX_SECRET_KEY
from devstack.template import StackTemplate
from tests.support.lambdas import WEBHOOK_TOKEN
from tests.support.sandbox import SANDBOX_BASE_URL, SANDBOX_SECRET_KEY

# No real credentials, no real region, tracing off.
OFFLINE_ENVIRONMENT = {
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
# Step Functions executes our ASL; Lambda tasks run in-process (devstack.lambdas).
MOTO_CONFIG: Any = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}


MONO_WEBHOOK_SECRET = "mono-webhook-secret-for-tests"


def use_offline_environment() -> None:
    os.environ.update(OFFLINE_ENVIRONMENT)


def provisioned_stack(session: boto3.Session) -> StackTemplate:
    """Every resource of template.yaml, created in moto from its own properties."""
    template = StackTemplate.load(region="us-east-1")
    template.parameters["OkraBaseUrl"] = SANDBOX_BASE_URL
    template.parameters["Providers"] = "okra,mono"
    secrets = {
        "WebhookTokenSecret": WEBHOOK_TOKEN,
        "OkraSecretKey": SANDBOX_SECRET_KEY,
        "MonoSecretKey": MONO_SANDBOX_SECRET_KEY,
        "MonoWebhookSecret": MONO_WEBHOOK_SECRET,
    }
    provision(template, session, secret_values=secrets)
    return template
