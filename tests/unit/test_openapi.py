"""The committed OpenAPI document is the one the code generates, and names the template's routes."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from openapi_spec_validator import validate

from banksync.api import (
    deliveries,
    openapi,
    subscription_answers,
    subscription_docs,
    subscriptions,
)
from banksync.delivery.model import STATUSES
from devstack.http_api import routes_of
from devstack.template import StackTemplate

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / openapi.DOCUMENT


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi.document()


@pytest.fixture(scope="module")
def template() -> StackTemplate:
    return StackTemplate.load()


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ops in doc["paths"].items() for m, op in ops.items()]


def test_the_committed_document_is_the_generated_one() -> None:
    assert COMMITTED.read_text() == openapi.rendered(), "run make openapi and commit the result"


def test_the_check_fails_on_a_drifted_document(tmp_path: Path) -> None:
    drifted = tmp_path / "banksync.json"
    drifted.write_text(COMMITTED.read_text().replace('"summary"', '"summery"', 1))
    assert openapi.main(["--check", str(drifted)]) == 1
    assert openapi.main(["--check", str(COMMITTED)]) == 0


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_the_document_names_every_iam_route_of_the_http_api_and_no_other(
    document: dict[str, Any], template: StackTemplate
) -> None:
    in_template = {(r.method, r.path) for r in routes_of(template) if r.iam}
    assert openapi.routes(document) == in_template


@pytest.mark.parametrize("function", sorted(openapi.FUNCTIONS))
def test_each_functions_routers_are_its_http_api_events(
    function: str, template: StackTemplate
) -> None:
    app = APIGatewayHttpResolver()
    for router in openapi.FUNCTIONS[function]:
        app.include_router(router)
    generated = json.loads(app.get_openapi_json_schema())
    events = {(r.method, r.path) for r in routes_of(template) if r.function == function}
    assert openapi.routes(generated) == events


def test_path_parameters_are_the_paths_own_and_take_the_id_rule(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        named = set(re.findall(r"{(\w+)}", path))
        given = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "path"}
        assert set(given) == named, f"{method} {path}"
        for parameter in given.values():
            assert parameter["required"] is True
            assert parameter["schema"].get("pattern"), f"{method} {path} {parameter['name']}"


def test_every_operation_is_described_with_its_errors_in_the_one_shape(
    document: dict[str, Any],
) -> None:
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids))
    for method, path, operation in operations(document):
        where = f"{method} {path}"
        assert operation["summary"] != where, f"{where} has no summary"
        assert operation.get("tags"), where
        assert re.fullmatch(r"[a-z][A-Za-z]+", operation["operationId"]), where
        assert operation["security"] == [{"sigv4": []}]
        answers = operation["responses"]
        assert any(code.startswith("2") for code in answers), where
        assert "403" in answers, where
        for code, answer in answers.items():
            if (code.startswith("4") and code != "403") or code.startswith("5"):
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, f"{where} {code}"
        assert "400" in answers, where


def test_the_error_shape_is_code_message_and_optional_fields(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["ErrorBody"]["required"] == ["error"]
    detail = schemas["ErrorDetail"]
    assert sorted(detail["required"]) == ["code", "message"]
    assert detail["properties"]["fields"]["additionalProperties"] == {"type": "string"}


def test_bodies_are_described_by_the_models_the_routes_read(document: dict[str, Any]) -> None:
    refresh = document["paths"]["/refreshes"]["post"]["requestBody"]
    assert refresh["required"] is True
    schema = document["components"]["schemas"]["RefreshRequestBody"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"account_id", "customer", "bank", "products"}
    sweep = document["paths"]["/sweeps"]["post"]["requestBody"]
    assert sweep["required"] is False


def test_query_parameters_say_their_limits(document: dict[str, Any]) -> None:
    listed = document["paths"]["/accounts/{account_id}/transactions"]["get"]["parameters"]
    by_name = {p["name"]: p for p in listed}
    assert by_name["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 500,
        "default": 100,
    }
    assert by_name["status"]["schema"]["enum"] == ["pending", "posted"]
    assert not any(p["required"] for p in listed if p["in"] == "query")


def test_the_described_limits_are_the_routes_own() -> None:
    assert subscription_answers.MAX_OVERLAP_HOURS == deliveries.MAX_OVERLAP_HOURS
    assert (subscription_docs.DEFAULT_PAGE, subscription_docs.MAX_PAGE) == (
        subscriptions.DEFAULT_PAGE,
        subscriptions.MAX_PAGE,
    )
    assert (deliveries.DEFAULT_PAGE, deliveries.MAX_PAGE) == (
        subscriptions.DEFAULT_PAGE,
        subscriptions.MAX_PAGE,
    )
    assert tuple(subscription_docs.DELIVERY_STATUSES) == STATUSES


def test_every_subscription_and_delivery_route_has_its_description(
    document: dict[str, Any],
) -> None:
    app = APIGatewayHttpResolver()
    app.include_router(subscriptions.router)
    app.include_router(deliveries.router)
    assert openapi.routes(json.loads(app.get_openapi_json_schema())) == set(
        subscription_docs.ROUTES
    )
    for (method, path), given in subscription_docs.ROUTES.items():
        assert document["paths"][path][method.lower()]["operationId"] == given["operation_id"]


# Objects that are free-form by nature: the provider's own rows, what a refresh was
# asked (its keys depend on who asked), and each delivery attempt's outcome.
FREE_FORM = {"raw", "request", "attempts", "last_attempt"}


def test_every_answer_object_is_closed(document: dict[str, Any]) -> None:
    """An answer holds what its schema names, and nothing else: a storage key or a
    bookkeeping field that reached an answer fails every test that checks one."""
    answers = [
        (f"{method} {path} {status}", content["schema"])
        for method, path, operation in operations(document)
        for status, response in operation["responses"].items()
        for content in response.get("content", {}).values()
    ]
    seen: set[str] = set()
    open_objects: list[str] = []

    def walk(where: str, schema: Any) -> None:
        if isinstance(schema, list):  # the branches of an anyOf, oneOf or allOf
            for inner in schema:
                walk(where, inner)
            return
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                walk(name, document["components"]["schemas"][name])
            return
        if schema.get("type") == "object" and where.rsplit(".", 1)[-1] not in FREE_FORM:
            rest = schema.get("additionalProperties", True)
            if rest is True or (rest is not False and "properties" in schema):
                open_objects.append(where)
        for key, inner in schema.items():
            if key == "properties":
                for name, field in inner.items():
                    walk(f"{where}.{name}", field)
            elif key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
                walk(where, inner)

    for where, schema in answers:
        walk(where, schema)
    assert seen, "no answer schema was walked"
    assert not open_objects, f"open objects in answers: {open_objects}"


def list_operations(doc: dict[str, Any]) -> set[str]:
    """The routes answering a page of items (or of changes): ``*Page`` schemas."""
    found = set()
    for method, path, operation in operations(doc):
        answer = operation["responses"].get("200", {}).get("content", {})
        ref = answer.get("application/json", {}).get("schema", {}).get("$ref", "")
        if ref.endswith("Page"):
            found.add(f"{method} {path}")
    return found


def test_every_list_states_its_order(document: dict[str, Any]) -> None:
    lists = list_operations(document)
    assert len(lists) >= 7
    unstated = [
        f"{method} {path}"
        for method, path, operation in operations(document)
        if f"{method} {path}" in lists
        and not operation.get("description", "").startswith("Order: ")
    ]
    assert not unstated, "each list's description starts with 'Order: ' and states it"
