"""What a route tells the OpenAPI document: its answers, its errors and its body.

Routes keep reading bodies and parameters with the strict reader
(``bodies.py``, ``params.py``); these builders only describe what that reader
accepts and what the route answers, through the decorators' ``responses`` and
``openapi_extensions``. ``REQUEST_MODELS`` collects the bodies' models so the
generator can put their schemas in ``components``.

An answer is described by its model or by the model's name: a name (resolved
by the generator, ``openapi.py``) lets a function's routes load without the
answer models, and so without pydantic, which the read API uses for nothing
else (pydantic and the models' classes would be a large share of its cold start).
"""

from typing import TYPE_CHECKING, Any

from banksync.api.params import ID, MAX_TOKEN_CHARS, MAX_VALUE_CHARS, TIME_RULE, TOKEN

if TYPE_CHECKING:
    from pydantic import BaseModel

ERROR_REF = "#/components/schemas/ErrorBody"
# A customer, bank or account id in a body or a query (``identifiers.py``); its
# pattern is put in ``components`` when the document is generated.
IDENTIFIER = {"$ref": "#/components/schemas/Identifier"}
# What ``params.instant`` reads: an RFC 3339 date-time, or a date (its midnight UTC).
TIME: dict[str, Any] = {
    "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}],
    "description": TIME_RULE.removeprefix("must be "),
}
NEXT_TOKEN = {
    "type": "string",
    "maxLength": MAX_TOKEN_CHARS,
    "pattern": f"^(?:{TOKEN.pattern})?$",
}
# Operations list these under this key; the generator merges them into the
# operation's ``parameters`` (Powertools writes the path's over any given).
PARAMETERS_KEY = "x-banksync-parameters"
# What every route may answer whatever it does: the strict reader refuses an
# unknown or repeated query parameter.
COMMON_ERRORS = {
    400: "invalid_request: a parameter, the path or the body is invalid; `fields` names it",
}
# API Gateway's own answer to a request its IAM authoriser refuses: not ours.
FORBIDDEN = {
    "description": "API Gateway refused the request: it is not signed (SigV4) by a "
    "principal allowed execute-api:Invoke on this route",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"message": {"type": "string"}},
                "required": ["message"],
                "additionalProperties": False,
            }
        }
    },
}
BODY_ERRORS = {
    400: "invalid_json, empty_body, not_an_object or invalid_body: the body is not a "
    "JSON object; invalid_request: a field breaks the schema",
    413: "body_too_large: the body is larger than the API reads",
}
# Models of the request bodies, which the document needs beyond the answers'.
REQUEST_MODELS: dict[str, "type[BaseModel]"] = {}
# Answers named rather than given as models: the generator finds their models.
NAMED_ANSWERS: set[str] = set()


def answers(
    ok: "dict[int, tuple[type[BaseModel] | str | None, str]]",
    errors: dict[int, str],
    *,
    body: bool = False,
    located: bool = False,
) -> dict[int, Any]:
    """The ``responses`` of a route: its successes and each 4xx/5xx it answers.

    ``ok`` maps a status to the model of its JSON body, or the model's name
    (None: no body), and a description; ``errors`` a status to the codes
    behind it; ``body``: the route reads a JSON body, so the reader's own
    refusals apply too; ``located``: a success carries a Location header.
    """
    described: dict[int, Any] = {}
    for status, (model, description) in ok.items():
        answer: dict[str, Any] = {"description": description, "content": {}}
        if isinstance(model, str):
            NAMED_ANSWERS.add(model)
            answer["content"] = {"application/json": {"schema": {"$ref": _ref(model)}}}
        elif model is not None:
            answer["content"] = {"application/json": {"model": model}}
        if located:
            answer["headers"] = {"Location": {"schema": {"type": "string", "format": "uri"}}}
        described[status] = answer
    merged = dict(COMMON_ERRORS)
    for status, why in [*(BODY_ERRORS.items() if body else ()), *errors.items()]:
        merged[status] = f"{merged[status]}; {why}" if status in merged else why
    merged[403] = ""
    for status in sorted(merged):
        if status == 403:
            described[403] = FORBIDDEN
            continue
        described[status] = {
            "description": merged[status],
            "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
        }
    return described


def json_body(model: "type[BaseModel]", *, required: bool = True) -> dict[str, Any]:
    """The ``openapi_extensions`` that describe a route's JSON request body."""
    REQUEST_MODELS[model.__name__] = model
    schema = {"$ref": _ref(model.__name__)}
    return {
        "requestBody": {
            "required": required,
            "content": {"application/json": {"schema": schema}},
        }
    }


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A query parameter the strict reader (``params.py``) takes: always optional."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def next_token() -> dict[str, Any]:
    return query(
        "next_token",
        NEXT_TOKEN,
        "the next_token of this very list's previous page (any other is a 400); "
        "absent or empty: the first page",
    )


def time_query(name: str, description: str) -> dict[str, Any]:
    return query(name, TIME, description)


def identifier_query(name: str, description: str) -> dict[str, Any]:
    """An identifier in the query: as in a body, and at most as long as any query value."""
    return query(name, {"allOf": [IDENTIFIER], "maxLength": MAX_VALUE_CHARS}, description)


def header(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": schema,
        "description": description,
    }


def path(name: str, description: str) -> dict[str, Any]:
    """A path id, by the rule ``params.path_id`` checks."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": f"^{ID.pattern}$"},
        "description": description,
    }


def parameters(*described: dict[str, Any]) -> dict[str, Any]:
    """The ``openapi_extensions`` naming what a route reads of the path, query and headers.

    The routes read these by hand (``params.py``), so Powertools sees only the
    path's names; these say what each takes.
    """
    return {PARAMETERS_KEY: list(described)}


def _ref(model_name: str) -> str:
    return f"#/components/schemas/{model_name}"
