"""The API reference page, from openapi/banksync.json: rendered here, offline, as Markdown."""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docsite.markdown import cell, code, page, table

OPENAPI = Path(__file__).resolve().parents[1] / "openapi" / "banksync.json"
METHODS = ("get", "post", "put", "patch", "delete")


def _anchor(name: str) -> str:
    return f"schema-{name.lower()}"


def type_of(schema: Mapping[str, Any]) -> str:
    """A schema in a few words: its type, a link to a named one, its rules."""
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        return f"[{name}](#{_anchor(name)})"
    if "anyOf" in schema or "oneOf" in schema:
        options = [type_of(s) for s in schema.get("anyOf", schema.get("oneOf", []))]
        shown = " or ".join(o for o in options if o != "null")
        return shown + (" or null" if "null" in options else "")
    if "const" in schema:
        return code(json.dumps(schema["const"]))
    if "enum" in schema:
        return "one of " + ", ".join(code(v) for v in schema["enum"])
    if isinstance(schema.get("type"), list):
        kinds = [str(k) for k in schema["type"]]
        return " or ".join(type_of({**schema, "type": k}) for k in kinds if k != "null") + (
            " or null" if "null" in kinds else ""
        )
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return f"array of {type_of(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema and not schema.get("properties"):
        extra = schema["additionalProperties"]
        return f"object of {type_of(extra)}" if isinstance(extra, dict) else "object"
    rules = []
    for key, word in (
        ("minimum", "≥"),
        ("maximum", "≤"),
        ("minLength", "length ≥"),
        ("maxLength", "length ≤"),
        ("minItems", "items ≥"),
        ("maxItems", "items ≤"),
    ):
        if key in schema:
            rules.append(f"{word} {schema[key]}")
    if "pattern" in schema:
        rules.append(f"matching {code(schema['pattern'])}")
    if "format" in schema:
        rules.append(str(schema["format"]))
    if "default" in schema:
        rules.append(f"default {code(json.dumps(schema['default']))}")
    return kind + (f" ({', '.join(rules)})" if rules else "")


def _body_schema(part: Mapping[str, Any]) -> str:
    content = part.get("content") or {}
    media = content.get("application/json")
    if not media or "schema" not in media:
        return "—"
    return type_of(media["schema"])


def operation(method: str, path: str, op: Mapping[str, Any]) -> str:
    lines = [f"### {method.upper()} `{path}`", "", f"**{op.get('summary', '')}**", ""]
    if op.get("description"):
        lines += [op["description"].strip(), ""]
    if op.get("operationId"):
        lines += [f"Operation id: `{op['operationId']}`.", ""]
    params = op.get("parameters") or []
    if params:
        rows = [
            [
                code(p["name"]),
                p["in"],
                "yes" if p.get("required") else "no",
                type_of(p.get("schema", {})),
                p.get("description", ""),
            ]
            for p in params
        ]
        lines += [table(["parameter", "in", "required", "type", "meaning"], rows)]
    if op.get("requestBody"):
        body = op["requestBody"]
        required = "required" if body.get("required") else "optional"
        lines += [f"Body ({required}, JSON): {_body_schema(body)}", ""]
    rows = [
        [code(status), answer.get("description", ""), _body_schema(answer)]
        for status, answer in op.get("responses", {}).items()
    ]
    lines += [table(["status", "when", "body"], rows)]
    return "\n".join(lines)


def schema_section(name: str, schema: Mapping[str, Any]) -> str:
    lines = [f"### {name} {{#{_anchor(name)}}}", ""]
    if schema.get("description"):
        lines += [" ".join(str(schema["description"]).split()), ""]
    properties = schema.get("properties") or {}
    if not properties:
        lines += [f"Type: {type_of(schema)}.", ""]
        return "\n".join(lines)
    required = set(schema.get("required", []))
    rows = [
        [
            code(prop),
            type_of(spec),
            "yes" if prop in required else "no",
            spec.get("description", ""),
        ]
        for prop, spec in properties.items()
    ]
    lines += [table(["field", "type", "required", "meaning"], rows)]
    if schema.get("additionalProperties") is False:
        lines += ["No other fields are accepted.", ""]
    return "\n".join(lines)


def api_page(document: Mapping[str, Any] | None = None) -> str:
    doc = document or json.loads(OPENAPI.read_text())
    info = doc["info"]
    tags = doc.get("tags") or []
    servers = [[code(s["url"]), s.get("description", "")] for s in doc.get("servers", [])]
    by_tag: dict[str, list[str]] = {t["name"]: [] for t in tags}
    for path, ops in doc["paths"].items():
        for method in METHODS:
            if method in ops:
                tag = (ops[method].get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append(operation(method, path, ops[method]))
    parts = [
        "# API reference",
        f"{cell(info.get('description', ''))}\n",
        f"OpenAPI {doc['openapi']} document `openapi/banksync.json`, version "
        f"{info['version']} (`make openapi` writes it from the code). The provider's webhook, "
        "`POST /webhooks/okra`, is not in it: see "
        "[inbound webhooks](../concepts/inbound-webhooks.md). `make local` serves the same "
        "document with Swagger UI at `http://127.0.0.1:3000/docs`.\n",
        "## Servers\n",
        table(["URL", "what"], servers),
    ]
    descriptions = {t["name"]: t.get("description", "") for t in tags}
    for tag, operations in by_tag.items():
        parts.append(f"## {tag}\n")
        if descriptions.get(tag):
            parts.append(f"{descriptions[tag][0].upper()}{descriptions[tag][1:]}.\n")
        parts.extend(operations)
    parts.append("## Schemas\n")
    for name, schema in doc["components"]["schemas"].items():
        parts.append(schema_section(name, schema))
    return page("openapi/banksync.json", *parts)
