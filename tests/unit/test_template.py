"""The template keeps what the README says of it."""

import json
from typing import Any

import pytest

from banksync.provider.settings import ProviderSettings
from banksync.refresh.settings import WorkflowSettings
from banksync.sync.batcher import INFLIGHT_LIMIT
from devstack.template import TEMPLATE_PATH, StackTemplate

ASL_PATH = TEMPLATE_PATH.parent / "statemachines" / "refresh.asl.json"
# Lambda's init phase may take this long before a handler's own timeout starts.
LAMBDA_INIT_SECONDS = 10


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


def test_receiver_may_only_put_events_and_read_the_providers_secrets(
    template: StackTemplate,
) -> None:
    function = resource(template, "WebhookReceiverFunction")["Properties"]
    assert function["Role"] == {"Fn::GetAtt": ["WebhookReceiverFunctionRole", "Arn"]}
    (policy,) = resource(template, "WebhookReceiverFunctionRole")["Properties"]["Policies"]
    granted = [(s["Action"], s["Resource"]) for s in policy["PolicyDocument"]["Statement"]]
    assert granted == [
        (
            "secretsmanager:GetSecretValue",
            [{"Ref": "WebhookTokenSecret"}, {"Ref": "MonoWebhookSecret"}],
        ),
        ("dynamodb:PutItem", {"Fn::GetAtt": ["EventsTable", "Arn"]}),
    ]


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


def data_holders(template: StackTemplate) -> list[str]:
    """What holds data a new stack could not give back: tables, secrets, the key
    that encrypts subscriptions' signing secrets."""
    kinds = ("AWS::DynamoDB::Table", "AWS::SecretsManager::Secret")
    return [logical_id for logical_id, _ in template.resources(*kinds)] + ["SigningKey"]


def test_every_table_and_secret_is_counted_as_data(template: StackTemplate) -> None:
    assert {"EventsTable", "DataTable", "IdempotencyTable"} <= set(data_holders(template))
    assert {"WebhookTokenSecret", "OkraSecretKey"} <= set(data_holders(template))


@pytest.mark.parametrize("logical_id", data_holders(StackTemplate.load()))
def test_data_survives_stack_deletion_and_replacement(
    template: StackTemplate, logical_id: str
) -> None:
    held = resource(template, logical_id)
    assert held.get("DeletionPolicy") == "Retain"
    assert held.get("UpdateReplacePolicy") == "Retain"


def test_every_time_limit_parameter_is_bounded(template: StackTemplate) -> None:
    limits = {
        name: spec
        for name, spec in template.body["Parameters"].items()
        if spec["Type"] == "Number" and name.endswith("Seconds")
    }
    assert {"RefreshDeadlineSeconds", "RefreshInitialWaitSeconds", "WebhookFallbackSeconds"} <= set(
        limits
    )
    for name, spec in limits.items():
        assert "MinValue" in spec, name
        assert "MaxValue" in spec, name
        assert spec["MinValue"] <= spec["Default"] <= spec["MaxValue"], name


@pytest.fixture(scope="module")
def asl() -> dict[str, Any]:
    definition: dict[str, Any] = json.loads(ASL_PATH.read_text())
    return definition


def lambda_tasks(template: StackTemplate, asl: dict[str, Any]) -> dict[str, str]:
    """Each Task state that invokes one of the template's functions, and that function."""
    substitutions = template.body["Resources"]["RefreshStateMachine"]["Properties"][
        "DefinitionSubstitutions"
    ]
    functions = {
        f"${{{name}}}": value["Fn::GetAtt"][0]
        for name, value in substitutions.items()
        if isinstance(value, dict) and "Fn::GetAtt" in value
    }
    return {
        name: functions[state["Resource"]]
        for name, state in asl["States"].items()
        if state["Type"] == "Task" and state["Resource"] in functions
    }


def retried(retriers: list[dict[str, Any]], error: str) -> dict[str, Any] | None:
    """The retrier Step Functions uses for ``error``: the first that matches it."""
    wildcards = {"States.ALL"} | ({"States.TaskFailed"} if error != "States.Timeout" else set())
    for retrier in retriers:
        if error in retrier["ErrorEquals"] or wildcards & set(retrier["ErrorEquals"]):
            return retrier
    return None


def test_every_lambda_task_is_found(template: StackTemplate, asl: dict[str, Any]) -> None:
    assert set(lambda_tasks(template, asl)) == {"StartRefreshes", "PollCallbacks", "RecordFailure"}


@pytest.mark.parametrize(
    "error",
    ["Lambda.Unknown", "Sandbox.Timedout", "States.Timeout", "States.TaskFailed", "SomeBug"],
)
def test_every_lambda_task_retries_transient_failures_a_bounded_number_of_times(
    template: StackTemplate, asl: dict[str, Any], error: str
) -> None:
    for state in lambda_tasks(template, asl):
        retrier = retried(asl["States"][state].get("Retry", []), error)
        assert retrier is not None, f"{state} does not retry {error}"
        assert 1 <= retrier["MaxAttempts"] <= 5, state
        assert retrier.get("BackoffRate", 2.0) >= 1, state


def test_catch_alls_come_after_every_specific_retrier(asl: dict[str, Any]) -> None:
    for name, state in asl["States"].items():
        errors = [set(r["ErrorEquals"]) for r in state.get("Retry", [])]
        wild = [i for i, e in enumerate(errors) if e & {"States.ALL", "States.TaskFailed"}]
        assert wild in ([], [len(errors) - 1]), name


def test_every_lambda_task_times_out_only_after_its_function_would(
    template: StackTemplate, asl: dict[str, Any]
) -> None:
    default = template.body["Globals"]["Function"]["Timeout"]
    for state, function in lambda_tasks(template, asl).items():
        timeout = template.body["Resources"][function]["Properties"].get("Timeout", default)
        assert asl["States"][state]["TimeoutSeconds"] > timeout + LAMBDA_INIT_SECONDS, state


def test_a_run_is_bounded_above_its_longest_legitimate_length(
    template: StackTemplate, asl: dict[str, Any]
) -> None:
    longest_deadline = template.body["Parameters"]["RefreshDeadlineSeconds"]["MaxValue"]
    settings = WorkflowSettings("table", ProviderSettings("https://example.invalid", "arn"))
    pending_limit = settings.pending_limit_seconds
    # An item the budget never let start gives up after the pending limit; one started
    # just before it has the longest deadline left; the final round needs some time.
    assert asl["TimeoutSeconds"] >= pending_limit + longest_deadline + 1800
    # The batcher treats a run as in flight this long: no run may outlive that.
    assert asl["TimeoutSeconds"] <= INFLIGHT_LIMIT.total_seconds()


def test_the_park_still_falls_back_to_a_poll_on_its_timeout(asl: dict[str, Any]) -> None:
    catches = asl["States"]["WaitForCallbacks"]["Catch"]
    assert catches[0]["ErrorEquals"] == ["States.Timeout"]
    assert catches[0]["Next"] == "PollCallbacks"
    assert catches[-1]["ErrorEquals"] == ["States.ALL"]
