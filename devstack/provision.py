"""Creating the template's resources in an embedded AWS, from their own properties.

Each supported resource type has one provisioner; a type the local stack does
not know is reported by name rather than silently skipped.
"""

import io
import json
import logging
import re
import secrets
import string
import zipfile
from collections.abc import Callable
from functools import cache
from typing import Any

from devstack import moto_models, moto_queries, moto_streams, moto_transactions
from devstack.pipes import create_event_bus, create_pipe
from devstack.template import TEMPLATE_PATH, StackTemplate, UnresolvableError

# Types the offline stack serves itself (API routes, functions, layers, logs)
# rather than creating them in the embedded AWS.
SERVED_LOCALLY = {
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::LayerVersion",
    "AWS::Logs::LogGroup",
    # The embedded AWS does not enforce IAM: policies only need a name to refer to.
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::RolePolicy",
}


class UnsupportedResourceError(RuntimeError):
    pass


def provision(
    template: StackTemplate, session: Any, secret_values: dict[str, str] | None = None
) -> None:
    """Create every resource of ``template`` through ``session`` (a boto3 Session)."""
    moto_transactions.install()  # the embedded AWS serves this process's calls
    moto_queries.install()  # reading a partition, not the whole table, per query
    moto_models.install()  # and keeps no model alive past its use
    moto_streams.install()  # with DynamoDB's iterator lifetime and stream retention
    # The embedded Step Functions engine logs every path a Choice finds missing as an
    # error, though ``IsPresent`` is how a Choice asks whether a path is there (the
    # refresh's CheckProgress does): a path truly missing still fails its execution.
    logging.getLogger("moto.stepfunctions.parser.asl.component.eval_component").setLevel(
        logging.CRITICAL
    )

    @cache
    def client(service: str) -> Any:  # one per service: each parses its service model anew
        return session.client(service)

    provisioners: dict[str, Callable[[str], object]] = {
        "AWS::DynamoDB::Table": lambda lid: create_table(template, client("dynamodb"), lid),
        "AWS::SecretsManager::Secret": lambda lid: create_secret(
            template, client("secretsmanager"), lid, (secret_values or {}).get(lid)
        ),
        "AWS::Serverless::Function": lambda lid: create_function(template, session, lid),
        "AWS::Serverless::StateMachine": lambda lid: create_state_machine(template, session, lid),
        "AWS::SQS::Queue": lambda lid: create_queue(template, client("sqs"), lid),
        "AWS::IAM::Role": lambda lid: create_role(template, client("iam"), lid),
        "AWS::KMS::Key": lambda lid: create_key(template, client("kms"), lid),
        "AWS::Scheduler::ScheduleGroup": lambda lid: create_schedule_group(
            template, client("scheduler"), lid
        ),
        "AWS::Scheduler::Schedule": lambda lid: create_schedule(template, client("scheduler"), lid),
        "AWS::SNS::Topic": lambda lid: create_topic(template, client("sns"), lid),
        "AWS::SNS::Subscription": lambda lid: create_subscription(template, client("sns"), lid),
        "AWS::CloudWatch::Alarm": lambda lid: create_alarm(template, client("cloudwatch"), lid),
        "AWS::CloudWatch::Dashboard": lambda lid: create_dashboard(
            template, client("cloudwatch"), lid
        ),
        "AWS::Events::EventBus": lambda lid: create_event_bus(template, client("events"), lid),
        "AWS::Pipes::Pipe": lambda lid: create_pipe(template, client("pipes"), lid),
    }
    pending = []
    for logical_id, resource in template.resources():
        kind = resource["Type"]
        if "Condition" in resource and not template.condition(resource["Condition"]):
            continue  # not created with these parameters, as in CloudFormation
        if kind in SERVED_LOCALLY:
            # Nothing to create, but other resources may refer to it by name.
            template.record(logical_id, f"{template.stack_name}-{logical_id}")
            continue
        if kind not in provisioners:
            raise UnsupportedResourceError(
                f"the offline stack cannot provision {logical_id} ({kind})"
            )
        pending.append((logical_id, provisioners[kind]))
    _in_dependency_order(pending)


def _in_dependency_order(pending: list[tuple[str, Callable[[str], object]]]) -> None:
    """Provision what can be; retry what refers to resources not created yet."""
    while pending:
        waiting: list[tuple[str, Callable[[str], object]]] = []
        last_error: UnresolvableError | None = None
        for logical_id, create in pending:
            try:
                create(logical_id)
            except UnresolvableError as error:
                waiting.append((logical_id, create))
                last_error = error
        if len(waiting) == len(pending):
            names = ", ".join(logical_id for logical_id, _ in waiting)
            raise UnresolvableError(f"cannot provision {names}: {last_error}")
        pending = waiting


def create_table(template: StackTemplate, client: Any, logical_id: str) -> str:
    props = template.properties(logical_id)
    name = props.get("TableName") or f"{template.stack_name}-{logical_id}"
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "DeletionProtectionEnabled"):
        if key in props:
            request[key] = props[key]
    if "StreamSpecification" in props:
        request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    if props.get("SSESpecification", {}).get("SSEEnabled"):
        request["SSESpecification"] = {"Enabled": True}
    table = client.create_table(**request)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    if props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
        client.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
    template.record(
        logical_id, name, Arn=table["TableArn"], StreamArn=table.get("LatestStreamArn", "")
    )
    return name


def create_secret(
    template: StackTemplate, client: Any, logical_id: str, value: str | None = None
) -> str:
    props = template.properties(logical_id)
    name = props.get("Name") or f"{template.stack_name}/{logical_id}"
    if value is None:
        value = props.get("SecretString") or generated_secret(props.get("GenerateSecretString", {}))
    arn: str = client.create_secret(Name=name, SecretString=value)["ARN"]
    template.record(logical_id, arn, Id=arn)
    return arn


def generated_secret(spec: dict[str, Any]) -> str:
    alphabet = string.ascii_letters + string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
    return "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))


def function_environment(template: StackTemplate, logical_id: str) -> dict[str, str]:
    """The environment a function gets: Globals merged with its own, resolved."""
    globals_env = template.body.get("Globals", {}).get("Function", {}).get("Environment", {})
    own_env = template.body["Resources"][logical_id]["Properties"].get("Environment", {})
    merged = {**globals_env.get("Variables", {}), **own_env.get("Variables", {})}
    return {name: str(value) for name, value in template.resolve(merged).items()}


def create_function(template: StackTemplate, session: Any, logical_id: str) -> str:
    """Register the function in the embedded AWS so that ARNs resolve; its code
    runs in-process through devstack.lambdas, never from this placeholder zip."""
    name = f"{template.stack_name}-{logical_id}"[:64]
    handler = template.body["Resources"][logical_id]["Properties"].get("Handler", "app.handler")
    arn: str = session.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=_local_role(template, session),
        Handler=handler,
        Code={"ZipFile": _placeholder_zip()},
        Architectures=["arm64"],
    )["FunctionArn"]
    template.record(logical_id, name, Arn=arn)
    return name


def create_state_machine(template: StackTemplate, session: Any, logical_id: str) -> str:
    props = template.properties(logical_id)
    definition = (TEMPLATE_PATH.parent / props["DefinitionUri"]).read_text()
    substitutions = {k: str(v) for k, v in props.get("DefinitionSubstitutions", {}).items()}
    definition = re.sub(
        r"\$\{(\w+)\}", lambda m: substitutions.get(m.group(1), m.group(0)), definition
    )
    json.loads(definition)  # a substitution must never leave invalid JSON behind
    name = f"{template.stack_name}-{logical_id}"[:80]
    arn: str = session.client("stepfunctions").create_state_machine(
        name=name,
        definition=definition,
        roleArn=_local_role(template, session),
        type=props.get("Type", "STANDARD"),
    )["stateMachineArn"]
    template.record(logical_id, arn, Name=name, Arn=arn)
    return arn


def _local_role(template: StackTemplate, session: Any) -> str:
    if "LocalExecutionRole" not in template.refs:
        iam = session.client("iam")
        role = iam.create_role(
            RoleName=f"{template.stack_name}-local-execution",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )["Role"]
        template.record("LocalExecutionRole", role["Arn"])
    return template.refs["LocalExecutionRole"]


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "# served in-process by devstack.lambdas\n")
    return buffer.getvalue()


def create_topic(template: StackTemplate, client: Any, logical_id: str) -> str:
    props = template.properties(logical_id)
    name = props.get("TopicName") or f"{template.stack_name}-{logical_id}"
    attributes = (
        {"KmsMasterKeyId": str(props["KmsMasterKeyId"])} if "KmsMasterKeyId" in props else {}
    )
    arn: str = client.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    template.record(logical_id, arn, TopicArn=arn, TopicName=name)
    return arn


def create_subscription(template: StackTemplate, client: Any, logical_id: str) -> str:
    props = template.properties(logical_id)
    arn: str = client.subscribe(
        TopicArn=props["TopicArn"], Protocol=props["Protocol"], Endpoint=props["Endpoint"]
    )["SubscriptionArn"]
    template.record(logical_id, arn)
    return arn


# put_metric_alarm takes the resource's properties under their own names.
ALARM_PROPERTIES = (
    "AlarmName",
    "AlarmDescription",
    "ActionsEnabled",
    "OKActions",
    "AlarmActions",
    "InsufficientDataActions",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "Unit",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "Metrics",
)


def create_alarm(template: StackTemplate, client: Any, logical_id: str) -> str:
    props = template.properties(logical_id)
    name = props.get("AlarmName") or f"{template.stack_name}-{logical_id}"
    request = {key: props[key] for key in ALARM_PROPERTIES if key in props}
    for key in ("Period", "EvaluationPeriods", "DatapointsToAlarm"):
        if key in request:
            request[key] = int(request[key])
    if "Threshold" in request:
        request["Threshold"] = float(request["Threshold"])
    client.put_metric_alarm(**{**request, "AlarmName": name})
    template.record(logical_id, name)
    return name


def create_dashboard(template: StackTemplate, client: Any, logical_id: str) -> str:
    props = template.properties(logical_id)
    name = props.get("DashboardName") or f"{template.stack_name}-{logical_id}"
    client.put_dashboard(DashboardName=name, DashboardBody=props["DashboardBody"])
    template.record(logical_id, name)
    return name


def create_queue(template: StackTemplate, client: Any, logical_id: str) -> str:
    props = template.properties(logical_id)
    name = props.get("QueueName") or f"{template.stack_name}-{logical_id}"
    attributes = {
        key: json.dumps(value)
        if isinstance(value, dict)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
        for key, value in props.items()
        if key
        in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "RedrivePolicy",
            "DelaySeconds",
            "SqsManagedSseEnabled",
            "ReceiveMessageWaitTimeSeconds",
        )
    }
    url: str = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    template.record(logical_id, url, Arn=arn["QueueArn"], QueueName=name, QueueUrl=url)
    return url


def create_role(template: StackTemplate, client: Any, logical_id: str) -> str:
    props = template.properties(logical_id)
    name = props.get("RoleName") or f"{template.stack_name}-{logical_id}"[:64]
    role = client.create_role(
        RoleName=name, AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"])
    )["Role"]
    for policy in props.get("Policies", []):
        client.put_role_policy(
            RoleName=name,
            PolicyName=policy["PolicyName"],
            PolicyDocument=json.dumps(policy["PolicyDocument"]),
        )
    template.record(logical_id, name, Arn=role["Arn"], RoleId=role["RoleId"])
    return name


def create_key(template: StackTemplate, client: Any, logical_id: str) -> str:
    props = template.properties(logical_id)
    key = client.create_key(Description=props.get("Description", logical_id))["KeyMetadata"]
    template.record(logical_id, key["KeyId"], Arn=key["Arn"], KeyId=key["KeyId"])
    return str(key["KeyId"])


def create_schedule_group(template: StackTemplate, client: Any, logical_id: str) -> str:
    name = template.properties(logical_id).get("Name") or f"{template.stack_name}-{logical_id}"
    arn = client.create_schedule_group(Name=name)["ScheduleGroupArn"]
    template.record(logical_id, name, Arn=arn)
    return str(name)


def create_schedule(template: StackTemplate, client: Any, logical_id: str) -> str:
    props = template.properties(logical_id)
    name = props.pop("Name", None) or f"{template.stack_name}-{logical_id}"[:64]
    arn = client.create_schedule(Name=name, **props)["ScheduleArn"]
    template.record(logical_id, name, Arn=arn)
    return str(name)
