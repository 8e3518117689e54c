"""The stream records' and domain events' schemas (schemas/), as reference pages."""

import json
from pathlib import Path
from typing import Any

from docsite.api_page import type_of
from docsite.markdown import code, page, table

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def _properties(schema: dict[str, Any]) -> str:
    required = set(schema.get("required", []))
    rows = [
        [
            code(name),
            type_of(spec),
            "yes" if name in required else "no",
            spec.get("description", ""),
        ]
        for name, spec in schema.get("properties", {}).items()
    ]
    return table(["attribute", "type", "always", "meaning"], rows)


def records_page() -> str:
    rows, sections = [], []
    for path in sorted((SCHEMAS / "records").glob("*.schema.json")):
        schema = json.loads(path.read_text())
        entity = path.name.removesuffix(".schema.json")
        rows.append(
            [
                f"[{schema['title']}](#{entity})",
                code(entity),
                schema["x-table"],
                ", ".join(code(k) for k in schema["x-key"]),
            ]
        )
        sections.append(
            f"## {schema['title']} {{#{entity}}}\n\n"
            f"{' '.join(str(schema.get('description', '')).split())}\n\n"
            f"`entity: {entity}` in the {schema['x-table']} "
            f"(stream view `{schema['x-stream-view-type']}`), identified by "
            f"{' + '.join(code(k) for k in schema['x-key'])}; schema "
            f"`schemas/records/{path.name}`.\n\n"
            f"**When it changes:** {' '.join(str(schema['x-changes']).split())}\n\n"
            + _properties(schema)
            + ("\nNo other attributes.\n" if schema.get("additionalProperties") is False else "")
        )
    return page(
        "schemas/records/*.schema.json",
        "# Stream record schemas",
        "Every item type banksync writes, as its stream records show it (images "
        "deserialised: plain JSON, numbers as numbers). The JSON Schemas (draft 2020-12) "
        "are in `schemas/records/`; a test writes every item type through the real code "
        "and validates each image against its schema. How to consume the streams: "
        "[Stream records](streams.md).\n",
        table(["item", "entity", "table", "key"], rows),
        *sections,
    )


def events_page() -> str:
    sections = []
    for path in sorted((SCHEMAS / "events").glob("*.json")):
        schema = json.loads(path.read_text())
        name = path.name.removesuffix(".json")
        sections.append(
            f"## `{name}`\n\n"
            f"{schema['title']}: {' '.join(str(schema.get('description', '')).split())} "
            f"Schema `schemas/events/{path.name}`.\n\n" + _properties(schema)
        )
    return page(
        "schemas/events/*.json",
        "# Event schemas",
        "The `detail` of every domain event on banksync's event bus, one JSON Schema "
        "(draft 2020-12) per `detail.type` in `schemas/events/`; the tests validate every "
        "event against them. How to subscribe: [Events](events.md).\n",
        *sections,
    )
