"""The HTTP API's OpenAPI document, generated from the routes of both API functions.

``python -m banksync.api.openapi`` (``make openapi``) writes it to
openapi/banksync.json; ``--check`` fails when the committed one differs.
Powertools generates the operations from the Routers' decorators; this adds
what the routes read by hand (``described.parameters``), the request bodies'
schemas and the IAM (SigV4) security scheme.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import Schema, Server, ServerVariable
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from banksync.api import (
    accounts,
    deliveries,
    described,
    links,
    read_answers,
    refreshes,
    subscriptions,
    sweeps,
)
from banksync.api.error_body import ErrorBody
from banksync.string_patterns import identifier_pattern

DOCUMENT = Path("openapi/banksync.json")
VERSION = "1.0.0"
# Each IAM-authorised function of the HTTP API and the Routers its app includes:
# tests/unit/test_openapi.py holds these to the functions' HttpApi events.
FUNCTIONS: dict[str, tuple[APIGatewayHttpRouter, ...]] = {
    "SyncApiFunction": (
        refreshes.router,
        subscriptions.router,
        sweeps.router,
        deliveries.router,
        links.router,
    ),
    "ReadApiFunction": (accounts.router,),
}
DESCRIPTION = (
    "banksync's operator API (refreshes, sweeps, data-sync subscriptions and their "
    "webhook deliveries, linked Mono accounts) and its read API (accounts, balances, "
    "transactions and the change feed), on one API Gateway HTTP API. Every route is "
    "IAM-authorised: sign each request with SigV4 for the service `execute-api` (see "
    "the docs: Operate, Security). Every "
    'failure answers `{"error": {"code", "message", "fields"}}`, `fields` naming '
    "each offending input."
)
SIGV4 = {
    "type": "apiKey",
    "name": "Authorization",
    "in": "header",
    "description": "AWS Signature Version 4 for the service execute-api",
    "x-amazon-apigateway-authtype": "awsSigv4",
}
TAGS = {
    "refreshes": "on-demand refreshes and their progress",
    "sweeps": "the daily sweep of stale accounts, started now",
    "subscriptions": "data-sync subscriptions: scheduled refreshes and their webhooks",
    "deliveries": "the webhook attempt log, replays and recovery",
    "providers": "accounts linked at a provider (Mono), and their re-authorisation links",
    "accounts": "normalised accounts, balances and transactions",
    "sync": "the incremental change feed (cursor)",
}
# Where the answers the routes name (``described.answers``) have their models.
ANSWER_MODULES = (read_answers,)
# Powertools adds these for its own request validation, which these routes do not use.
UNUSED_COMPONENTS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


def resolver() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver()
    for routers in FUNCTIONS.values():
        for router in routers:
            app.include_router(router)
    return app


def document() -> dict[str, Any]:
    generated = resolver().get_openapi_json_schema(
        title="banksync",
        version=VERSION,
        description=DESCRIPTION,
        servers=[
            Server(
                url="https://{api_id}.execute-api.{region}.amazonaws.com",
                description="the deployed stack (its ApiUrl output)",
                variables={
                    "api_id": ServerVariable(default="api-id"),
                    "region": ServerVariable(default="eu-west-1"),
                },
            ),
            Server(url="http://127.0.0.1:3000", description="make local (unsigned)"),
        ],
    )
    found: dict[str, Any] = json.loads(generated)
    for operations in found["paths"].values():
        for operation in operations.values():
            _merge_parameters(operation)
            operation["security"] = [{"sigv4": []}]
    found["paths"] = dict(sorted(found["paths"].items()))
    found["tags"] = [{"name": name, "description": why} for name, why in TAGS.items()]
    components = found.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(_schemas({"ErrorBody": ErrorBody, **described.REQUEST_MODELS}))
    schemas.update(_as_powertools_writes(_schemas(named_answers())))
    schemas["Identifier"] = {
        "type": "string",
        "pattern": identifier_pattern(),
        "description": "a customer, bank or account id: 1 to 128 characters once the "
        "whitespace around them is dropped, none of them a control, format or line/paragraph "
        'separator character (Unicode Cc, Cf, Cs, Zl, Zp); "*" alone means every bank',
    }
    for name in UNUSED_COMPONENTS:
        if f'"#/components/schemas/{name}"' not in json.dumps(found["paths"]):
            schemas.pop(name, None)
    components["schemas"] = dict(sorted(schemas.items()))
    components["securitySchemes"] = {"sigv4": SIGV4}
    return found


def rendered() -> str:
    text = json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
    # Readable text stays as it is; what would be invisible in the file is escaped.
    return "".join(c if c.isprintable() or c == "\n" else json.dumps(c)[1:-1] for c in text)


def routes(doc: dict[str, Any]) -> set[tuple[str, str]]:
    """(METHOD, path) of every operation, paths as the template writes them."""
    return {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops}


def named_answers() -> dict[str, type[BaseModel]]:
    """The model of each answer a route names rather than gives."""
    found: dict[str, type[BaseModel]] = {}
    for name in sorted(described.NAMED_ANSWERS):
        models = [getattr(module, name, None) for module in ANSWER_MODULES]
        model = next((m for m in models if isinstance(m, type) and issubclass(m, BaseModel)), None)
        if model is None:
            raise LookupError(f"a route answers {name}, a model no answer module defines")
        found[name] = model
    return found


def _as_powertools_writes(schemas: dict[str, Any]) -> dict[str, Any]:
    """Schemas as Powertools writes an answer given as a model (through its Schema
    model, leaving out every null such as ``default: null``), so that an answer
    named reads the same."""
    return {
        name: json.loads(
            Schema.model_validate(schema).model_dump_json(by_alias=True, exclude_none=True)
        )
        for name, schema in schemas.items()
    }


def _merge_parameters(operation: dict[str, Any]) -> None:
    given = operation.pop(described.PARAMETERS_KEY, [])
    merged = {(p["in"], p["name"]): p for p in operation.get("parameters", [])}
    merged.update({(p["in"], p["name"]): p for p in given})
    if merged:
        operation["parameters"] = list(merged.values())


def _schemas(models: dict[str, type[BaseModel]]) -> dict[str, Any]:
    _, found = models_json_schema(
        [(model, "validation") for model in models.values()],
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = found.get("$defs", {})
    return schemas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DOCUMENT)
    parser.add_argument("--check", action="store_true", help="fail if the file differs")
    args = parser.parse_args(argv)
    text = rendered()
    if args.check:
        current = args.path.read_text() if args.path.exists() else ""
        if current != text:
            print(f"{args.path} is out of date: run make openapi", file=sys.stderr)
            return 1
        return 0
    args.path.parent.mkdir(parents=True, exist_ok=True)
    args.path.write_text(text)
    print(f"wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
