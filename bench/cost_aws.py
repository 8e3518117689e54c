"""Every AWS request of the stack, counted as AWS bills it, from botocore's own events.

Registered on a boto3 session before its clients are made, the meter sees
each request's parameters (before-parameter-build) and its answer
(after-call). DynamoDB is billed in capacity (bench.cost_meter), with the
items before and after each write read from the embedded DynamoDB itself;
other services per request. Calls inside a function are the function's
(bench.cost_lambda knows which run); calls outside one are the services'
own: the Scheduler's SendMessage, Lambda's queue pollers, the Pipe's
PutEvents, Step Functions' DynamoDB tasks. What only the harness does
(describing executions, reading queue attributes) is not billed.

Not billed by AWS, so not counted: DynamoDB Streams reads by Lambda triggers
(GetRecords for an event source mapping is free), Step Functions API calls
(Standard bills state transitions, counted from the history), Scheduler API
calls (it bills invocations), Lambda Invoke (counted as requests by
bench.cost_lambda).
"""

import json
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType

from bench.cost_lambda import LambdaMeter
from bench.cost_meter import Capacity, Item, TableSchema, index_entry, item_size
from devstack.template import StackTemplate

CHUNK = 64 * 1024  # SQS, EventBridge and Pipes bill each 64 KB of payload as a request
Images = Callable[[str, dict[str, Any]], Item | None]


def chunks(payload: str) -> int:
    return max(1, math.ceil(len(payload.encode()) / CHUNK))


class AwsMeter:
    """``schemas``: physical table name → schema; ``images``: (table, key) → the stored
    item, read without a request."""

    def __init__(self, schemas: dict[str, TableSchema], images: Images, lambdas: LambdaMeter):
        self.schemas, self.images, self.lambdas = schemas, images, lambdas
        self.capacity = Capacity()
        self.requests: Counter[str] = Counter()  # billed part → requests
        self.operations: Counter[str] = Counter()  # every request seen, billed or not
        self.active = False
        self._polls = threading.local()

    def register(self, session: Any) -> None:
        session.events.register("before-parameter-build", self.on_request)
        session.events.register("after-call", self.on_answer)

    def reset(self) -> None:
        self.capacity.clear()
        self.requests.clear()
        self.operations.clear()

    @contextmanager
    def queue_poll(self) -> Iterator[None]:
        """One delivery by Lambda's SQS event source: it deletes what the function
        handled in batches of 10 (DeleteMessageBatch), where the pump deletes one by one."""
        self._polls.deleted = 0
        try:
            yield
        finally:
            deleted, self._polls.deleted = self._polls.deleted, None
            if self.active and deleted:
                self.requests["SQS requests"] += math.ceil(deleted / 10)

    def on_request(
        self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        if not self.active:
            return
        context["cost_params"] = params
        if model.service_model.service_name == "dynamodb":
            context["cost_writes"] = list(self._writes(model.name, params))

    def on_answer(
        self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        if not self.active:
            return
        service, operation = model.service_model.service_name, model.name
        self.operations[f"{service}.{operation}"] += 1
        params = context.get("cost_params", {})
        invocation = self.lambdas.current()
        if invocation is not None:
            invocation.aws_calls += 1
        if service == "dynamodb":
            for table, key, before, transactional in context.get("cost_writes", []):
                after = self.images(table, key)
                self.capacity.write(self.schemas[table], before, after, transactional)
            self._reads(operation, params, parsed)
            return
        self._request(service, operation, params, parsed, in_function=invocation is not None)

    def _writes(
        self, operation: str, params: dict[str, Any]
    ) -> Iterator[tuple[str, dict[str, Any], Item | None, bool]]:
        def one(table: str, request: dict[str, Any], transactional: bool) -> Any:
            key = request.get("Key") or self.schemas[table].key_of(request.get("Item", {}))
            return table, key, self.images(table, key), transactional

        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            yield one(params["TableName"], params, False)
        elif operation == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    ((_, body),) = request.items()
                    yield one(table, body, False)
        elif operation == "TransactWriteItems":
            for action in params["TransactItems"]:
                ((_, body),) = action.items()
                yield one(body["TableName"], body, True)

    def _reads(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        if operation == "GetItem":
            size = item_size(self.images(params["TableName"], params["Key"]))
            self.capacity.read(
                self._name(params["TableName"]), size, bool(params.get("ConsistentRead"))
            )
        elif operation == "BatchGetItem":
            for table, request in params["RequestItems"].items():
                for key in request["Keys"]:
                    size = item_size(self.images(table, key))
                    self.capacity.read(self._name(table), size, bool(request.get("ConsistentRead")))
        elif operation == "TransactGetItems":
            for action in params["TransactItems"]:
                get = action["Get"]
                size = item_size(self.images(get["TableName"], get["Key"]))
                self.capacity.read(self._name(get["TableName"]), size, True, transactional=True)
        elif operation in ("Query", "Scan"):
            table, index = params["TableName"], params.get("IndexName")
            size = sum(self._returned_size(table, index, item) for item in parsed.get("Items", []))
            name = self._name(table) + (f" {index}" if index else "")
            self.capacity.read(name, size, bool(params.get("ConsistentRead")))

    def _returned_size(self, table: str, index: str | None, returned: Item) -> int:
        """A read is billed for the whole stored entry, whatever the projection returns."""
        schema = self.schemas[table]
        key = schema.key_of(returned)
        if len(key) < len(schema.keys):
            return item_size(returned)
        stored = self.images(table, key)
        if index is not None:
            (found,) = (i for i in schema.indexes if i.name == index)
            stored = index_entry(schema, found, stored)
        return item_size(stored or returned)

    def _name(self, table: str) -> str:
        return self.schemas[table].name

    def _request(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        parsed: dict[str, Any],
        in_function: bool,
    ) -> None:
        if service == "sqs":
            if operation == "SendMessage":
                self.requests["SQS requests"] += chunks(params["MessageBody"])
            elif operation == "SendMessageBatch":
                bodies = "".join(e["MessageBody"] for e in params["Entries"])
                self.requests["SQS requests"] += chunks(bodies)
            elif operation == "DeleteMessage" and getattr(self._polls, "deleted", None) is not None:
                if not in_function:
                    self._polls.deleted += 1
                else:
                    self.requests["SQS requests"] += 1
            elif in_function or (operation == "ReceiveMessage" and parsed.get("Messages")):
                # An empty receive by a poller is the event source's standing cost, not a refresh's.
                self.requests["SQS requests"] += 1
        elif service == "events" and operation == "PutEvents":
            self.requests["EventBridge events"] += sum(
                chunks(json.dumps(e)) for e in params["Entries"]
            )
        elif service == "kms":
            self.requests["KMS requests"] += 1
        elif service == "secretsmanager":
            self.requests["Secrets Manager requests"] += 1


def moto_images() -> Images:
    """Stored items straight from moto's DynamoDB: no request, nothing metered."""
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]

    def image(table_name: str, key: dict[str, Any]) -> Item | None:
        table = backend.get_table(table_name)
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        found = table.get_item(hash_key, range_key)
        return found.to_json()["Attributes"] if found is not None else None

    return image


def table_schemas(stack: StackTemplate) -> dict[str, TableSchema]:
    return {
        stack.refs[logical_id]: TableSchema.from_properties(
            logical_id, stack.properties(logical_id)
        )
        for logical_id, _ in stack.resources("AWS::DynamoDB::Table")
    }
