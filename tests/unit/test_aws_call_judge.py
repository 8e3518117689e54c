"""The call-level IAM judge: which role a call is charged to, what IAM checks for it,
and whether the template's roles (as SAM translates them) allow it.

tests/integration judges every call its tests make (tests.support.aws_call_plugin);
these tests pin the judge's own rules.
"""

import sys
from types import FrameType
from typing import Any

import boto3
import botocore.session
import pytest

from devstack.template import StackTemplate
from tests.support.aws_calls import ROOT, AwsCall, attribute, recording
from tests.support.iam_actions import Need, needs_of
from tests.support.iam_judge import StackPolicies

REGION, ACCOUNT = "us-east-1", "123456789012"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/banksync-local-DataTable"


def needs(service: str, operation: str, **params: Any) -> tuple[Need, ...]:
    model = botocore.session.get_session().get_service_model(service)
    return needs_of(model, operation, params, REGION)


# --- what IAM checks for a call -------------------------------------------------------


def test_a_table_call_is_its_own_action_on_the_table_and_a_query_names_its_index() -> None:
    assert needs("dynamodb", "UpdateItem", TableName="t", Key={}) == (
        Need("dynamodb:UpdateItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t"),
    )
    (query,) = needs("dynamodb", "Query", TableName="t", IndexName="gsi3")
    assert query.resource.endswith("table/t/index/gsi3")


def test_a_transaction_is_checked_item_by_item() -> None:
    found = needs(
        "dynamodb",
        "TransactWriteItems",
        TransactItems=[
            {"Put": {"TableName": "a", "Item": {}}},
            {"Update": {"TableName": "b", "Key": {}}},
            {"ConditionCheck": {"TableName": "a", "Key": {}}},
        ],
    )
    assert [(n.action, n.resource.rsplit("/", 1)[-1]) for n in found] == [
        ("dynamodb:PutItem", "a"),
        ("dynamodb:UpdateItem", "b"),
        ("dynamodb:ConditionCheckItem", "a"),
    ]


def test_an_invoke_is_invoke_function_and_a_stream_read_is_dynamodbs() -> None:
    assert needs("lambda", "Invoke", FunctionName="f") == (
        Need("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"),
    )
    stream = f"{TABLE}/stream/2026"
    assert needs("dynamodbstreams", "GetRecords", ShardIterator="x") == (
        Need("dynamodb:GetRecords", "*"),
    )
    assert needs("dynamodbstreams", "DescribeStream", StreamArn=stream) == (
        Need("dynamodb:DescribeStream", stream),
    )


def test_a_queue_url_is_its_queue_arn() -> None:
    url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/due"
    assert needs("sqs", "SendMessage", QueueUrl=url, MessageBody="{}") == (
        Need("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:due"),
    )


def test_a_schedule_with_a_target_role_also_passes_the_role() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/scheduler"
    found = needs(
        "scheduler",
        "CreateSchedule",
        Name="sub_1",
        GroupName="g",
        Target={"Arn": "arn:aws:sqs:x", "RoleArn": role},
    )
    assert found == (
        Need("scheduler:CreateSchedule", f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/g/sub_1"),
        Need("iam:PassRole", role, (("iam:PassedToService", "scheduler.amazonaws.com"),)),
    )


def test_a_decrypt_names_the_key_its_ciphertext_was_made_with(aws: boto3.Session) -> None:
    kms = aws.client("kms")
    key = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(
        KeyId=key["KeyId"], Plaintext=b"s", EncryptionContext={"subscription_id": "sub_1"}
    )["CiphertextBlob"]
    (decrypt,) = needs(
        "kms", "Decrypt", CiphertextBlob=blob, EncryptionContext={"subscription_id": "sub_1"}
    )
    assert decrypt == Need(
        "kms:Decrypt", key["Arn"], (("kms:EncryptionContext:subscription_id", "sub_1"),)
    )


# --- whom a call is charged to ----------------------------------------------------------


def _frames(*chain: tuple[str, str]) -> FrameType:
    """The innermost frame of nested calls through code compiled as ``(file, function)``,
    outermost first: a frame of each, as if those files had made the call."""
    innermost: FrameType | None = None

    def capture() -> None:
        nonlocal innermost
        innermost = sys._getframe(1)

    call = capture
    for path, name in reversed(chain):
        namespace: dict[str, Any] = {"inner": call}
        code = compile(f"def {name}():\n    inner()\n", str(ROOT / path), "exec")
        exec(code, namespace)  # noqa: S102  (code compiled here, from the lines above)
        call = namespace[name]
    call()
    assert innermost is not None
    return innermost


def test_layer_code_is_charged_to_the_function_running_it() -> None:
    frame = _frames(
        ("tests/support/workflow.py", "run"),
        ("functions/refresh_aborter/app.py", "lambda_handler"),
        ("layers/banksync/banksync/refresh/runs.py", "save_item"),
    )
    caller, origin = attribute(frame, "dynamodb.UpdateItem")
    assert caller == "function:refresh_aborter"
    assert origin.startswith("banksync/refresh/runs.py:")
    assert origin.endswith(" save_item")


def test_a_trigger_pumped_on_the_engines_thread_is_charged_to_its_handler() -> None:
    engine = ".venv/lib/python3.13/site-packages/moto/stepfunctions/parser/asl/eval.py"
    frame = _frames(
        (engine, "wait"),
        ("tests/support/push.py", "settle"),
        ("functions/push_listener/app.py", "lambda_handler"),
        ("layers/banksync/banksync/push/listener.py", "handle"),
    )
    assert attribute(frame, "stepfunctions.SendTaskSuccess")[0] == "function:push_listener"
    pump = _frames(
        (engine, "wait"), ("tests/support/push.py", "settle"), ("devstack/streams.py", "poll")
    )
    assert attribute(pump, "dynamodbstreams.GetRecords")[0] == "harness"
    task = _frames((engine, "eval_task"))
    assert attribute(task, "dynamodb.UpdateItem")[0] == "state_machine"


def test_a_devstack_module_standing_in_for_a_service_is_that_service_for_its_call_only() -> None:
    frame = _frames(("tests/support/sync.py", "fire"), ("devstack/scheduler.py", "fire"))
    assert attribute(frame, "sqs.SendMessage")[0] == "service:scheduler"
    assert attribute(frame, "sqs.GetQueueUrl")[0] == "harness"


def test_a_recording_sees_calls_on_every_thread_and_charges_the_tests_to_nobody(
    aws: boto3.Session,
) -> None:
    with recording() as opened:
        aws.client("sqs").list_queues()
    assert opened.harness == 1
    assert opened.calls == []


# --- the roles' verdicts ------------------------------------------------------------------


@pytest.fixture
def policies(stack: StackTemplate) -> StackPolicies:
    return StackPolicies(stack)


def test_the_aborter_may_record_failed_items_and_accounts(
    policies: StackPolicies, stack: StackTemplate
) -> None:
    """RefreshRunStore.save_item and Freshness.mark_unsuccessful update the DataTable."""
    role = policies.role_of("function:refresh_aborter")
    assert role == "RefreshAborterFunctionRole"
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{stack.refs['DataTable']}"
    for action in ("GetItem", "Query", "PutItem", "UpdateItem"):
        assert policies.allows(role, Need(f"dynamodb:{action}", table)), action


def test_a_denial_names_role_caller_line_action_and_resource(
    policies: StackPolicies, stack: StackTemplate
) -> None:
    need = Need(
        "dynamodb:DeleteItem",
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{stack.refs['DataTable']}",
    )
    call = AwsCall(
        "function:refresh_aborter",
        "dynamodb.DeleteItem",
        (need,),
        "banksync/refresh/runs.py:1 drop",
    )
    (denial,) = policies.denials([call])
    assert str(denial) == (
        "RefreshAborterFunctionRole: function:refresh_aborter (banksync/refresh/runs.py:1 drop) "
        f"needs dynamodb:DeleteItem on {need.resource}: not allowed"
    )


def test_a_caller_of_no_role_is_denied(policies: StackPolicies) -> None:
    call = AwsCall("function:nowhere", "sqs.SendMessage", (Need("sqs:SendMessage", "*"),), "")
    assert len(policies.denials([call])) == 1


def test_the_state_machine_and_the_services_have_their_roles(policies: StackPolicies) -> None:
    assert policies.role_of("state_machine") == "RefreshStateMachineRole"
    assert policies.role_of("service:scheduler") == "SchedulerRole"
    assert policies.role_of("service:pipe") == "DomainEventsPipeRole"


def test_what_the_platform_does_with_each_role_is_allowed(policies: StackPolicies) -> None:
    """Logs, traces, event-source reads, on-failure destinations, the pipe and the
    schedules: what Lambda, Step Functions, Pipes and Scheduler do with the roles."""
    needed = list(policies.platform_needs())
    assert {role for role, _ in needed} >= {
        "SchedulerRole",
        "DomainEventsPipeRole",
        "RefreshStateMachineRole",
    }
    denied = [f"{role}: {need}" for role, need in needed if not policies.allows(role, need)]
    assert not denied, "\n".join(denied)


# What only the platform does: no code calls these, so whether a grant is used does not
# depend on what the tests happen to run.
PLATFORM_ACTIONS = (
    "logs:",
    "xray:",
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
)


def test_no_role_grants_the_platform_more_than_it_does(policies: StackPolicies) -> None:
    """logs:CreateLogGroup where every log group is declared, X-Ray's sampling reads
    where no SDK samples, stream and queue reads of sources a role has no mapping for:
    grants that nothing could use."""
    needed = list(policies.platform_needs())
    unused = [
        f"{grant.role} ({grant.policy}): {grant.action} on {grant.resource}"
        for role, grants in policies.grants.items()
        for grant in grants
        if grant.action.startswith(PLATFORM_ACTIONS)
        and not any(r == role and grant.allows(need) for r, need in needed)
    ]
    assert not unused, "\n".join(unused)
