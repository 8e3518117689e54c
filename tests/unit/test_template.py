"""The template promises what the issue and the README say it does."""

from typing import Any

import pytest

from devstack.template import StackTemplate


@pytest.fixture(scope="module")
def template() -> StackTemplate:
    return StackTemplate.load()


def resource(template: StackTemplate, logical_id: str) -> Any:
    return template.body["Resources"][logical_id]


@pytest.mark.parametrize("table", ["EventsTable", "DataTable"])
def test_tables_are_on_demand_recoverable_encrypted_and_streamed(
    template: StackTemplate, table: str
) -> None:
    props = template.properties(table)
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["StreamSpecification"]["StreamViewType"]


def test_events_expire_through_ttl(template: StackTemplate) -> None:
    ttl = template.properties("EventsTable")["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at", "Enabled": True}


def test_webhook_secret_is_generated_never_given(template: StackTemplate) -> None:
    props = resource(template, "WebhookTokenSecret")["Properties"]
    assert "SecretString" not in props
    assert props["GenerateSecretString"]["PasswordLength"] >= 32


def test_receiver_may_only_put_events_and_read_its_secret(template: StackTemplate) -> None:
    policies = resource(template, "WebhookReceiverFunction")["Properties"]["Policies"]
    statements = [s for p in policies if "Statement" in p for s in p["Statement"]]
    assert [s["Action"] for s in statements] == ["dynamodb:PutItem"]
    assert {"AWSSecretsManagerGetSecretValuePolicy"} <= {k for p in policies for k in p}


def test_functions_run_python313_on_arm64(template: StackTemplate) -> None:
    function_globals = template.body["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.13"
    assert function_globals["Architectures"] == ["arm64"]


def test_outputs_expose_api_tables_and_streams(template: StackTemplate) -> None:
    outputs = set(template.body["Outputs"])
    assert {"ApiUrl", "EventsTableName", "DataTableName"} <= outputs
    assert {"EventsTableStreamArn", "DataTableStreamArn"} <= outputs


def test_webhook_route_is_open_and_everything_else_iam(template: StackTemplate) -> None:
    api = resource(template, "HttpApi")["Properties"]
    assert api["Auth"]["DefaultAuthorizer"] == "AWS_IAM"
    route = resource(template, "WebhookReceiverFunction")["Properties"]["Events"]["OkraWebhook"]
    assert route["Properties"]["Auth"] == {"Authorizer": "NONE"}
