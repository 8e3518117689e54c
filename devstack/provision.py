"""Creating the template's resources in an embedded AWS, from their own properties.

Each supported resource type has one provisioner; a type the local stack does
not know is reported by name rather than silently skipped.
"""

import secrets
import string
from collections.abc import Callable
from typing import Any

from devstack.template import StackTemplate

# Types the offline stack serves itself (API routes, functions, layers, logs)
# rather than creating them in the embedded AWS.
SERVED_LOCALLY = {
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::Function",
    "AWS::Serverless::LayerVersion",
    "AWS::Logs::LogGroup",
}


class UnsupportedResourceError(RuntimeError):
    pass


def provision(
    template: StackTemplate, session: Any, secret_values: dict[str, str] | None = None
) -> None:
    """Create every resource of ``template`` through ``session`` (a boto3 Session)."""
    provisioners: dict[str, Callable[[str], object]] = {
        "AWS::DynamoDB::Table": lambda lid: create_table(template, session.client("dynamodb"), lid),
        "AWS::SecretsManager::Secret": lambda lid: create_secret(
            template, session.client("secretsmanager"), lid, (secret_values or {}).get(lid)
        ),
    }
    for logical_id, resource in template.resources():
        kind = resource["Type"]
        if kind in SERVED_LOCALLY:
            continue
        if kind not in provisioners:
            raise UnsupportedResourceError(
                f"the offline stack cannot provision {logical_id} ({kind})"
            )
        provisioners[kind](logical_id)


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
