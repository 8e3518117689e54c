"""Every role the template gives, as SAM expands it, judged against IAM's own reference.

The template is translated by the SAM CLI's own translator
(tests.support.sam_translation), so policy templates
and what SAM adds for event sources and on-failure destinations are judged as
they will be deployed. Each statement's resources are given realistic ARNs
and classified into IAM resource types; the IAM reference shipped with
cfn-lint says which resource types each action can apply to. A grant that
names a resource type its action cannot take (``GetItem`` on an index) is a
grant no call can use, and fails here.
"""

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import cfnlint
import pytest

from devstack.template import StackTemplate
from tests.support.sam_translation import translated_body

REFERENCE = Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json"
REGION, ACCOUNT = "us-east-1", "123456789012"

# IAM's reference gives every DynamoDB resource type the same loose ARN pattern
# (table/.*); these are the formats AWS documents for each.
DYNAMODB_FORMATS = {
    "table": r"arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+",
    "index": r"arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+/index/[^/]+",
    "stream": r"arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+/stream/[^/]+",
    "backup": r"arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+/backup/[^/]+",
    "export": r"arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+/export/[^/]+",
    "import": r"arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+/import/[^/]+",
    "global-table": r"arn:[^:]+:dynamodb::[^:]*:global-table/[^/]+",
}
# Resource wildcards that stand for names only known at run time: every index of
# one table, the streams Lambda opens in one log group, the subscriptions'
# schedules (sub_<id>) in the stack's group.
NAMED_AT_RUN_TIME = (
    r"arn:[^:]+:dynamodb:[^:]+:[^:]+:table/[^/*]+/index/\*",
    r"arn:[^:]+:logs:[^:]+:[^:]+:log-group:[^:*]+:\*",
    r"arn:[^:]+:scheduler:[^:]+:[^:]+:schedule/[^/*]+/sub_\*",
)
# Actions that must say which use they are for: the key's context, the role's service.
REQUIRED_CONDITIONS = {
    "kms:encrypt": "kms:EncryptionContext:",
    "kms:decrypt": "kms:EncryptionContext",
    "kms:generatedatakey": "kms:EncryptionContext",
    "iam:passrole": "iam:PassedToService",
}


@cache
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text())
    return data


def resource_types(service: str, arn: str) -> set[str]:
    """The IAM resource types ``arn`` can be, in ``service``."""
    if service == "dynamodb":
        formats = {kind: [pattern] for kind, pattern in DYNAMODB_FORMATS.items()}
    else:
        formats = {
            kind: [_pattern(f) for f in spec.get("ARNFormats", [])]
            for kind, spec in reference()[service].get("Resources", {}).items()
        }
    return {
        kind.lower()
        for kind, patterns in formats.items()
        if any(re.fullmatch(p, arn) for p in patterns)
    }


def _pattern(arn_format: str) -> str:
    parts = re.split(r"(\$\{[^}]+\}|\.\*)", arn_format)
    return "".join(
        ".*" if part == ".*" else "[^:]*" if part.startswith("${") else re.escape(part)
        for part in parts
    )


def problems(statement: Mapping[str, Any]) -> list[str]:
    """What is wrong with one resolved Allow statement."""
    found: list[str] = []
    actions = _listed(statement.get("Action"))
    resources = _listed(statement.get("Resource"))
    conditions = json.dumps(statement.get("Condition", {}))
    for action in actions:
        if "*" in action or "?" in action:
            found.append(f"{action}: a wildcard grants actions no code names")
            continue
        service, name = action.lower().split(":", 1)
        known = reference().get(service, {}).get("Actions", {})
        if name not in known:
            found.append(f"{action}: not an IAM action")
            continue
        takes = {kind.lower() for kind in known[name].get("Resources", [])}
        for arn in resources:
            if arn == "*":
                if takes:
                    found.append(f"{action} on *: it can be limited to {sorted(takes)}")
                continue
            if "*" in arn and not any(re.fullmatch(s, arn) for s in NAMED_AT_RUN_TIME):
                found.append(f"{action} on {arn}: the wildcard matches resources no code names")
            kinds = resource_types(service, arn)
            if not takes:
                found.append(f"{action} on {arn}: the action takes no resource, only *")
            elif not kinds & takes:
                found.append(
                    f"{action} on {arn} ({sorted(kinds) or 'unknown type'}): "
                    f"it applies only to {sorted(takes)}"
                )
        required = REQUIRED_CONDITIONS.get(action.lower())
        if required and required not in conditions:
            found.append(f"{action} without a {required}* condition")
    return found


def _listed(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value])]


@cache
def translated() -> StackTemplate:
    """template.yaml as CloudFormation will see it, every resource given a plausible ARN."""
    template = StackTemplate(translated_body(REGION), region=REGION, account_id=ACCOUNT)
    for name, spec in template.body.get("Parameters", {}).items():
        template.parameters.setdefault(name, str(spec.get("Default", "")))
    for logical_id, resource in template.resources():
        _record_arns(template, logical_id, resource["Type"])
    return template


def _record_arns(template: StackTemplate, logical_id: str, kind: str) -> None:
    name = f"banksync-{logical_id}"
    prefix = f"arn:aws:{{}}:{REGION}:{ACCOUNT}:"
    if kind == "AWS::DynamoDB::Table":
        arn = prefix.format("dynamodb") + f"table/{name}"
        template.record(
            logical_id, name, Arn=arn, StreamArn=f"{arn}/stream/2026-12-01T00:00:00.000"
        )
    elif kind == "AWS::SQS::Queue":
        arn = prefix.format("sqs") + name
        url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
        template.record(logical_id, url, Arn=arn, QueueName=name, QueueUrl=url)
    elif kind == "AWS::Lambda::Function":
        template.record(logical_id, name, Arn=prefix.format("lambda") + f"function:{name}")
    elif kind == "AWS::StepFunctions::StateMachine":
        arn = prefix.format("states") + f"stateMachine:{name}"
        template.record(logical_id, arn, Arn=arn, Name=name)
    elif kind == "AWS::KMS::Key":
        key = "1234abcd-12ab-34cd-56ef-1234567890ab"
        template.record(logical_id, key, Arn=prefix.format("kms") + f"key/{key}", KeyId=key)
    elif kind == "AWS::IAM::Role":
        template.record(logical_id, name, Arn=f"arn:aws:iam::{ACCOUNT}:role/{name}")
    elif kind == "AWS::SecretsManager::Secret":
        template.record(logical_id, prefix.format("secretsmanager") + f"secret:{name}-AbCdEf")
    elif kind == "AWS::Scheduler::ScheduleGroup":
        template.record(logical_id, name, Arn=prefix.format("scheduler") + f"schedule-group/{name}")
    elif kind == "AWS::SNS::Topic":
        arn = prefix.format("sns") + name
        template.record(logical_id, arn, TopicArn=arn, TopicName=name)
    elif kind == "AWS::Logs::LogGroup":
        group = f"/aws/lambda/{name}"
        template.record(logical_id, group, Arn=prefix.format("logs") + f"log-group:{group}:*")
    elif kind == "AWS::IAM::ManagedPolicy":
        template.record(logical_id, f"arn:aws:iam::{ACCOUNT}:policy/{name}")
    elif kind == "AWS::Events::EventBus":
        arn = prefix.format("events") + f"event-bus/{name}"
        template.record(logical_id, name, Arn=arn, Name=name)
    else:  # a type no policy here names yet: an ARN no resource type matches
        template.record(logical_id, name, Arn=f"arn:aws:unclassified:{REGION}:{ACCOUNT}:{name}")


def allow_statements(template: StackTemplate) -> Iterator[tuple[str, dict[str, Any]]]:
    """(role, statement) for every Allow statement the template gives a role: inline,
    in its own managed policies, or attached from outside (AWS::IAM::RolePolicy)."""
    resources = template.body["Resources"]
    for logical_id, resource in template.resources("AWS::IAM::Role"):
        props = resource["Properties"]
        policies = list(props.get("Policies", []))
        for arn in props.get("ManagedPolicyArns", []):
            if isinstance(arn, dict) and arn.get("Ref") in resources:
                policies.append(resources[arn["Ref"]]["Properties"])
        for _, attached in template.resources("AWS::IAM::RolePolicy"):
            if attached["Properties"]["RoleName"] == {"Ref": logical_id}:
                policies.append(attached["Properties"])
        for policy in policies:
            document = template.resolve(policy["PolicyDocument"])
            for statement in document["Statement"]:
                if statement.get("Effect") == "Allow":
                    yield logical_id, statement


def test_no_role_grants_an_action_on_a_resource_it_cannot_apply_to() -> None:
    template = translated()
    found = [
        f"{role}: {problem}"
        for role, statement in allow_statements(template)
        for problem in problems(statement)
    ]
    assert not found, "\n".join(found)


def test_every_role_with_a_policy_is_judged() -> None:
    template = translated()
    judged = {role for role, _ in allow_statements(template)}
    roles = {lid for lid, _ in template.resources("AWS::IAM::Role")}
    assert judged == roles
    assert {"RefreshStateMachineRole", "SyncApiFunctionRole", "NotifierFunctionRole"} <= judged


def test_stream_failures_are_granted_once_per_role() -> None:
    """A stream function's on-failure queue is granted once, for the event source's
    destination; a second grant would be one no call uses."""
    template = translated()
    for role, statement in allow_statements(template):
        if any("StreamFailureQueue" in r for r in _listed(statement.get("Resource"))):
            assert _listed(statement["Action"]) == ["sqs:SendMessage"], role
    failure_grants = [
        role
        for role, statement in allow_statements(template)
        if any("StreamFailureQueue" in r for r in _listed(statement.get("Resource")))
    ]
    assert len(failure_grants) == len(set(failure_grants)), failure_grants


def test_the_batcher_queries_only_through_the_indexes() -> None:
    """Measured: the batcher's queries name gsi1 or gsi2 (accounts, subscriptions), never
    the table itself; a Query grant on the table would be one no call uses."""
    queried = [
        arn
        for role, statement in allow_statements(translated())
        if role == "RefreshBatcherFunctionRole" and "dynamodb:Query" in _listed(statement["Action"])
        for arn in _listed(statement.get("Resource"))
    ]
    assert queried
    assert all(resource_types("dynamodb", arn) == {"index"} for arn in queried), queried


def test_a_role_queries_by_name_the_indexes_its_code_reads() -> None:
    """index/* is every index, today's and tomorrow's. Only the operator API reads all
    three (subscriptions and runs, the list of subscriptions, deliveries by id); every
    other role names its own (the call-level judge, tests/integration, checks the reads)."""
    every_index = {
        role
        for role, statement in allow_statements(translated())
        if "dynamodb:Query" in _listed(statement["Action"])
        and any(arn.endswith("/index/*") for arn in _listed(statement.get("Resource")))
    }
    assert every_index == {"SyncApiFunctionRole"}


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            {
                "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t/index/*",
            },
            "dynamodb:GetItem on arn:aws:dynamodb:us-east-1:123456789012:table/t/index/*",
        ),
        (
            {
                "Action": "dynamodb:GetRecords",
                "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t",
            },
            "it applies only to ['stream']",
        ),
        (
            {"Action": "sqs:SendMessage*", "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"},
            "a wildcard grants actions no code names",
        ),
        (
            {"Action": "kms:Encrypt", "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k"},
            "without a kms:EncryptionContext:* condition",
        ),
        (
            {"Action": "iam:PassRole", "Resource": f"arn:aws:iam::{ACCOUNT}:role/r"},
            "without a iam:PassedToService* condition",
        ),
        ({"Action": "dynamodb:Query", "Resource": "*"}, "it can be limited to"),
        (
            {"Action": "scheduler:ListSchedules", "Resource": f"arn:aws:scheduler:{REGION}:x:y"},
            "the action takes no resource",
        ),
        ({"Action": "dynamodb:FlyAway", "Resource": "*"}, "not an IAM action"),
        (
            {
                "Action": "lambda:InvokeFunction",
                "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:starter*",
            },
            "the wildcard matches resources no code names",
        ),
    ],
)
def test_the_judge_refuses_grants_no_call_can_use(statement: dict[str, Any], expected: str) -> None:
    assert any(expected in problem for problem in problems(statement)), problems(statement)


@pytest.mark.parametrize(
    "statement",
    [
        {
            "Action": "dynamodb:Query",
            "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t/index/*",
        },
        {
            "Action": ["dynamodb:GetRecords", "dynamodb:GetShardIterator"],
            "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t/stream/2026",
        },
        {"Action": "states:SendTaskSuccess", "Resource": "*"},
        {
            "Action": "kms:Decrypt",
            "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k",
            "Condition": {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "a"}},
        },
    ],
)
def test_the_judge_accepts_grants_that_fit(statement: dict[str, Any]) -> None:
    assert problems(statement) == []
