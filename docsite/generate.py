"""Write the generated pages and regions of the docs (`make docs-gen`), or check them.

A whole page is generated when all of it restates a source; a region of a
hand-written page sits between ``<!-- generated:NAME -->`` and
``<!-- /generated:NAME -->``. ``--check`` writes nothing and names every page
that differs from what its source gives (the test runs it).
"""

import re
import sys
from collections.abc import Callable
from pathlib import Path

from devstack.template import StackTemplate
from docsite.api_page import api_page
from docsite.bench_page import performance_page
from docsite.live_page import live_page
from docsite.schema_pages import events_page, records_page
from docsite.template_pages import alarms_page, data_table_indexes, parameters_page

DOCS = Path(__file__).resolve().parents[1] / "docs"


def pages() -> dict[str, Callable[[], str]]:
    template = StackTemplate.load()
    return {
        "deploy/parameters.md": lambda: parameters_page(template),
        "operate/alarms.md": lambda: alarms_page(template),
        "reference/api.md": api_page,
        "consume/record-schemas.md": records_page,
        "consume/event-schemas.md": events_page,
        "performance/index.md": performance_page,
        "performance/live.md": live_page,
    }


def regions() -> dict[tuple[str, str], Callable[[], str]]:
    from docsite.invocations import function_events_table

    template = StackTemplate.load()
    return {
        ("concepts/data-model.md", "datatable-indexes"): lambda: data_table_indexes(template),
        ("develop/sam-local.md", "function-events"): lambda: function_events_table(template),
    }


def _with_region(text: str, name: str, content: str, where: str) -> str:
    pattern = re.compile(
        rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.DOTALL
    )
    if not pattern.search(text):
        raise LookupError(f"{where} has no <!-- generated:{name} --> region")
    return pattern.sub(lambda m: m.group(1) + content.rstrip() + "\n" + m.group(2), text)


def expected() -> dict[Path, str]:
    """Every generated file's content, as the sources give it now."""
    found = {DOCS / name: build() for name, build in pages().items()}
    for (name, region), build in regions().items():
        path = DOCS / name
        found[path] = _with_region(found.get(path, path.read_text()), region, build(), name)
    return found


def drifted() -> list[Path]:
    return [
        path for path, text in expected().items() if not path.exists() or path.read_text() != text
    ]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = drifted()
        for path in stale:
            print(f"{path.relative_to(DOCS.parent)} is out of date: run `make docs-gen`")
        return 1 if stale else 0
    for path, text in expected().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
