"""What IAM checks for one AWS API call: its actions, on which resources, with what context.

Most operations are the IAM action of their own name on the resource their
parameters name. The exceptions are IAM's: Lambda's ``Invoke`` is
``lambda:InvokeFunction``; a DynamoDB transaction is checked item by item as
the item's own action; a scheduler target's role is also passed
(``iam:PassRole``); a KMS ciphertext names its key inside the blob.
"""

from dataclasses import dataclass
from typing import Any

ACCOUNT = "123456789012"
RENAMED = {"lambda:Invoke": "lambda:InvokeFunction"}
TRANSACTION_ITEMS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


@dataclass(frozen=True)
class Need:
    """One IAM decision a call needs: ``action`` on ``resource``, with ``context``
    (condition keys the request carries) as sorted pairs."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()


def needs_of(
    service_model: Any, operation: str, params: dict[str, Any], region: str
) -> tuple[Need, ...]:
    prefix = service_model.signing_name
    arn = _Arns(region)
    service = service_model.service_name
    if service == "dynamodb":
        return tuple(_dynamodb(operation, params, arn))
    action = RENAMED.get(f"{prefix}:{operation}", f"{prefix}:{operation}")
    if service == "dynamodbstreams":
        return (Need(action, params.get("StreamArn", "*")),)
    if service == "sqs":
        queue = params.get("QueueUrl")
        name = queue.rstrip("/").rsplit("/", 1)[-1] if queue else params.get("QueueName")
        return (Need(action, arn.of("sqs", name) if name else "*"),)
    if service == "stepfunctions":
        named = params.get("stateMachineArn") or params.get("executionArn")
        return (Need(action, named or "*"),)  # task-token calls name no resource
    if service == "scheduler":
        return tuple(_scheduler(action, params, arn))
    if service == "kms":
        return (_kms(action, params, arn),)
    if service == "secretsmanager" and "SecretId" in params:
        return (Need(action, arn.named("secretsmanager", "secret:", params["SecretId"])),)
    if service == "events" and operation == "PutEvents":
        buses = {entry.get("EventBusName") or "default" for entry in params.get("Entries", [])}
        return tuple(Need(action, arn.named("events", "event-bus/", bus)) for bus in sorted(buses))
    if service == "lambda" and "FunctionName" in params:
        return (Need(action, arn.named("lambda", "function:", params["FunctionName"])),)
    # Not mapped yet: judged on "*", which only a grant on every resource allows.
    return (Need(action, "*"),)


@dataclass(frozen=True)
class _Arns:
    region: str

    def of(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{ACCOUNT}:{resource}"

    def named(self, service: str, kind: str, name_or_arn: str) -> str:
        """An ARN as given, or the ARN of a name (``kind`` leads the resource part)."""
        return (
            name_or_arn if name_or_arn.startswith("arn:") else self.of(service, kind + name_or_arn)
        )

    def table(self, name: str, index: str | None = None) -> str:
        table = self.of("dynamodb", f"table/{name}")
        return f"{table}/index/{index}" if index else table


def _dynamodb(operation: str, params: dict[str, Any], arn: _Arns) -> list[Need]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [
            Need(f"dynamodb:{TRANSACTION_ITEMS[kind]}", arn.table(item["TableName"]))
            for entry in params.get("TransactItems", [])
            for kind, item in entry.items()
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Need(f"dynamodb:{operation}", arn.table(t)) for t in params.get("RequestItems", {})]
    if "TableName" not in params:
        return [Need(f"dynamodb:{operation}", "*")]
    return [Need(f"dynamodb:{operation}", arn.table(params["TableName"], params.get("IndexName")))]


def _scheduler(action: str, params: dict[str, Any], arn: _Arns) -> list[Need]:
    if "Name" not in params:
        return [Need(action, "*")]
    group = params.get("GroupName") or "default"
    found = [Need(action, arn.of("scheduler", f"schedule/{group}/{params['Name']}"))]
    role = (params.get("Target") or {}).get("RoleArn")
    if role:
        passed = (("iam:PassedToService", "scheduler.amazonaws.com"),)
        found.append(Need("iam:PassRole", role, passed))
    return found


def _kms(action: str, params: dict[str, Any], arn: _Arns) -> Need:
    key = params.get("KeyId") or _key_in(params.get("CiphertextBlob"))
    context = tuple(
        sorted(
            (f"kms:EncryptionContext:{name}", str(value))
            for name, value in (params.get("EncryptionContext") or {}).items()
        )
    )
    if not key:
        return Need(action, "*", context)
    return Need(action, key if key.startswith("arn:") else arn.of("kms", f"key/{key}"), context)


def _key_in(blob: Any) -> str | None:
    """The key id moto writes at the head of its ciphertexts (KMS's own format is opaque)."""
    if not isinstance(blob, bytes | bytearray):
        return None
    try:
        from moto.kms.utils import _deserialize_ciphertext_blob

        return str(_deserialize_ciphertext_blob(bytes(blob)).key_id)
    except Exception:
        return None
