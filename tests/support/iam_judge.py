"""The template's roles, as SAM translates them, judging calls made against one stack.

Each role's policy is its inline statements plus the AWS managed policies SAM
attaches (their documents as moto ships them), resolved against the names
and ARNs the stack was provisioned with. moto's IAM evaluator decides each
action on each resource; conditions are compared where moto can
(``StringEquals``), given the keys the request carries.

What the platform does with a role is judged too, so that a grant it needs is
never removed as unused: Lambda writes the function's logs (and creates its log
group when the template declares none), sends its traces when tracing is on,
reads its event sources and sends failed batches to their on-failure
destination; Step Functions sends the execution's traces and samples them.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult

from devstack.template import StackTemplate, UnresolvableError
from tests.support.aws_calls import STATE_MACHINE, AwsCall
from tests.support.iam_actions import Need
from tests.support.sam_translation import translated_body

TRACE_WRITES = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
TRACE_SAMPLING = ("xray:GetSamplingRules", "xray:GetSamplingTargets")
STREAM_READS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
QUEUE_READS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
LOG_STREAM = "log-stream:2026/01/01/[$LATEST]0123456789abcdef"


@dataclass(frozen=True)
class Grant:
    """One action on one resource, as one statement of a role grants it."""

    role: str
    action: str
    resource: str
    policy: str
    condition: str = ""  # the statement's Condition, as JSON

    def statement(self) -> dict[str, Any]:
        found = {"Effect": "Allow", "Action": self.action, "Resource": self.resource}
        return {**found, "Condition": json.loads(self.condition)} if self.condition else found

    def allows(self, need: Need) -> bool:
        return _permitted(IAMPolicyStatement(self.statement()), need)


@dataclass(frozen=True)
class Denial:
    role: str
    call: AwsCall | None
    need: Need

    def __str__(self) -> str:
        made = (
            f"{self.call.caller} ({self.call.origin or 'its task'})"
            if self.call
            else "the platform"
        )
        return f"{self.role}: {made} needs {self.need.action} on {self.need.resource}: not allowed"


@cache
def _managed_policies() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    documents: dict[str, Any] = json.loads(aws_managed_policies_data)
    return documents


def _permitted(policy: IAMPolicy | IAMPolicyStatement, need: Need) -> bool:
    result = policy.is_action_permitted(need.action, need.resource, None, dict(need.context))
    return result == PermissionResult.PERMITTED


class StackPolicies:
    """Every role of the translated template, resolved against ``stack``'s values."""

    def __init__(self, stack: StackTemplate) -> None:
        body = translated_body(stack.region)
        self.template = StackTemplate(
            body,
            stack_name=stack.stack_name,
            region=stack.region,
            account_id=stack.account_id,
            parameters=dict(stack.parameters),
            refs=dict(stack.refs),
            attributes=dict(stack.attributes),
        )
        self._log_groups()
        self.functions = {
            self._folder(props): logical_id
            for logical_id, props in self._of("AWS::Lambda::Function")
        }
        self.grants: dict[str, list[Grant]] = {
            role: list(self._grants(role)) for role, _ in self._of("AWS::IAM::Role")
        }
        self._policies = {
            role: IAMPolicy(json.dumps({"Statement": [g.statement() for g in grants]}))
            for role, grants in self.grants.items()
        }
        self._decided: dict[tuple[str, Need], bool] = {}
        self._allowing: dict[tuple[str, Need], frozenset[int]] = {}

    def role_of(self, caller: str) -> str | None:
        """The role a caller's calls are made with, or None for a caller of no role here."""
        kind, _, name = caller.partition(":")
        if kind == "function":
            function = self.functions.get(name)
            return self._role_arn_of(function, "Role") if function else None
        if caller == STATE_MACHINE:
            machines = [lid for lid, _ in self._of("AWS::StepFunctions::StateMachine")]
            return self._role_arn_of(machines[0], "RoleArn") if len(machines) == 1 else None
        services = {
            "service:scheduler": ("AWS::Scheduler::Schedule", lambda p: p["Target"]["RoleArn"]),
            "service:pipe": ("AWS::Pipes::Pipe", lambda p: p["RoleArn"]),
        }
        if caller in services:
            kind, role_of = services[caller]
            roles = {_logical(role_of(props)) for _, props in self._of(kind)}
            return roles.pop() if len(roles) == 1 else None
        return None

    def allows(self, role: str, need: Need) -> bool:
        key = (role, need)
        if key not in self._decided:
            self._decided[key] = _permitted(self._policies[role], need)
        return self._decided[key]

    def grants_allowing(self, role: str, need: Need) -> frozenset[int]:
        """Which of ``role``'s grants (by index) allow ``need``."""
        key = (role, need)
        if key not in self._allowing:
            grants = self.grants.get(role, [])
            self._allowing[key] = frozenset(i for i, g in enumerate(grants) if g.allows(need))
        return self._allowing[key]

    def denials(self, calls: Iterable[AwsCall]) -> list[Denial]:
        found: list[Denial] = []
        for call in calls:
            role = self.role_of(call.caller)
            if role is None:
                found.extend(Denial(call.caller, call, need) for need in call.needs)
                continue
            found.extend(Denial(role, call, n) for n in call.needs if not self.allows(role, n))
        return found

    def platform_needs(self) -> Iterator[tuple[str, Need]]:
        """(role, need) for what Lambda and Step Functions do with the roles."""
        for function, props in self._of("AWS::Lambda::Function"):
            role = self._role_arn_of(function, "Role")
            yield from ((role, need) for need in self._function_platform(function, props))
        for machine, props in self._of("AWS::StepFunctions::StateMachine"):
            if (props.get("TracingConfiguration") or {}).get("Enabled"):
                role = self._role_arn_of(machine, "RoleArn")
                yield from ((role, Need(a, "*")) for a in TRACE_WRITES + TRACE_SAMPLING)
        for _, props in self._of("AWS::Pipes::Pipe"):
            role, pipe = _logical(props["RoleArn"]), self.template.resolve(props)
            yield from ((role, need) for need in _stream_reads(pipe["Source"]))
            if "Enrichment" in pipe:
                yield role, Need("lambda:InvokeFunction", pipe["Enrichment"])
            yield role, Need("events:PutEvents", pipe["Target"])
            stream = pipe.get("SourceParameters", {}).get("DynamoDBStreamParameters", {})
            if "DeadLetterConfig" in stream:
                yield role, Need("sqs:SendMessage", stream["DeadLetterConfig"]["Arn"])
        for _, props in self._of("AWS::Scheduler::Schedule"):
            role, target = (
                _logical(props["Target"]["RoleArn"]),
                self.template.resolve(props["Target"]),
            )
            yield role, Need("sqs:SendMessage", target["Arn"])
            if "DeadLetterConfig" in target:
                yield role, Need("sqs:SendMessage", target["DeadLetterConfig"]["Arn"])

    def _function_platform(self, function: str, props: dict[str, Any]) -> Iterator[Need]:
        name = self.template.refs[function]
        logging = self.template.resolve(props.get("LoggingConfig") or {})
        group = logging.get("LogGroup") or f"/aws/lambda/{name}"
        logs = f"arn:aws:logs:{self.template.region}:{self.template.account_id}:log-group:{group}"
        yield Need("logs:CreateLogStream", f"{logs}:{LOG_STREAM}")
        yield Need("logs:PutLogEvents", f"{logs}:{LOG_STREAM}")
        if group not in self._declared_log_groups:
            yield Need("logs:CreateLogGroup", logs)
        if (props.get("TracingConfig") or {}).get("Mode", "PassThrough") != "PassThrough":
            yield from (Need(action, "*") for action in TRACE_WRITES)
        for _, raw in self._of("AWS::Lambda::EventSourceMapping"):
            mapping = self.template.resolve(raw)
            if mapping["FunctionName"] != name:
                continue
            source = mapping["EventSourceArn"]
            if ":sqs:" in source:
                yield from (Need(action, source) for action in QUEUE_READS)
            else:
                yield from _stream_reads(source)
            failures = (mapping.get("DestinationConfig") or {}).get("OnFailure") or {}
            if "Destination" in failures:
                yield Need("sqs:SendMessage", failures["Destination"])

    def _log_groups(self) -> None:
        """Log groups are served locally: give them the names and ARNs AWS would."""
        self._declared_log_groups: set[str] = set()
        for logical_id, resource in self.template.resources("AWS::Logs::LogGroup"):
            props = self.template.resolve(resource.get("Properties", {}))
            name = props.get("LogGroupName") or self.template.refs.get(logical_id, logical_id)
            arn = f"arn:aws:logs:{self.template.region}:{self.template.account_id}:log-group:{name}"
            self.template.record(logical_id, name, Arn=f"{arn}:*")
            self._declared_log_groups.add(name)

    def _grants(self, role: str) -> Iterator[Grant]:
        """The role's inline policies, its managed ones (the template's or AWS's) and
        the template's policies attached to it from outside (AWS::IAM::RolePolicy)."""
        resources = self.template.body["Resources"]
        props = resources[role]["Properties"]
        for arn in props.get("ManagedPolicyArns", []):
            named = arn.get("Ref") if isinstance(arn, dict) else None
            if isinstance(named, str) and named in resources:
                yield from self._document(role, named, resources[named]["Properties"])
            else:
                name = str(arn).rsplit("/", 1)[-1]
                yield from self._statement_grants(role, name, _managed_policies()[name]["Document"])
        for policy in props.get("Policies", []):
            yield from self._document(role, policy["PolicyName"], policy)
        for logical_id, attached in self._of("AWS::IAM::RolePolicy"):
            if attached["RoleName"] == {"Ref": role}:
                yield from self._document(role, logical_id, attached)

    def _document(self, role: str, name: str, policy: dict[str, Any]) -> Iterator[Grant]:
        try:
            document = self.template.resolve(policy["PolicyDocument"])
        except UnresolvableError as error:
            raise UnresolvableError(f"{role} {name}: {error}") from None
        yield from self._statement_grants(role, name, document)

    @staticmethod
    def _statement_grants(role: str, name: str, document: dict[str, Any]) -> Iterator[Grant]:
        for statement in _listed(document["Statement"]):
            if statement.get("Effect") != "Allow":
                continue
            condition = json.dumps(statement["Condition"]) if "Condition" in statement else ""
            for action in _listed(statement["Action"]):
                for resource in _listed(statement["Resource"]):
                    yield Grant(role, str(action), str(resource), name, condition)

    def _of(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Resources of ``kind`` with their properties as written (unresolved)."""
        for logical_id, resource in self.template.resources(kind):
            yield logical_id, dict(resource.get("Properties", {}))

    def _role_arn_of(self, logical_id: str, key: str) -> str:
        return _logical(self.template.body["Resources"][logical_id]["Properties"][key])

    @staticmethod
    def _folder(props: dict[str, Any]) -> str:
        return str(props["Code"]["S3Key"]).rstrip("/").rsplit("/", 1)[-1]


def _logical(value: Any) -> str:
    """The logical id of a role an ``Fn::GetAtt [Role, Arn]`` names."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    raise ValueError(f"a role named as {value!r}: only Fn::GetAtt [Role, Arn] is understood")


def _stream_reads(stream: str) -> Iterator[Need]:
    yield from (Need(action, stream) for action in STREAM_READS)
    yield Need("dynamodb:ListStreams", "*")


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
