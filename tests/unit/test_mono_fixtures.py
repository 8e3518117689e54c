"""Mono's documented payloads (tests/fixtures/mono) against the page that describes them
(docs/providers/mono-contract.md): the page's fixture table names, for every fixture, the
fields it carries, the documented values and the fields it leaves out; each fixture must
be a JSON object that bears that out, so the adapter built from the page and the tests
built from the fixtures cannot disagree."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "mono"
PAGE = ROOT / "docs" / "providers" / "mono-contract.md"
README = FIXTURES / "README.md"
TABLE = re.compile(r"<!-- mono-fixtures:start -->(.*?)<!-- mono-fixtures:end -->", re.DOTALL)
CODE = re.compile(r"`([^`]+)`")
# A documented source: Mono's docs or support site, or the word that says there is none.
SOURCED = re.compile(r"https://(docs|support)\.mono\.co/|\*\*constructed\*\*")


class Missing:
    """Where a path leads nowhere."""


MISSING = Missing()


def page_table() -> dict[str, list[str]]:
    """Fixture name -> the claims the page's table makes about it."""
    match = TABLE.search(PAGE.read_text())
    assert match, f"{PAGE.relative_to(ROOT)} has no fixture table between its markers"
    rows: dict[str, list[str]] = {}
    for line in match.group(1).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[0].startswith("`"):
            continue
        (name,) = CODE.findall(cells[0])
        assert name not in rows, f"{name} is in the page's table twice"
        rows[name] = CODE.findall(cells[1])
    return rows


def resolve(document: Any, path: str) -> list[Any]:
    """The values at a dotted ``path``; ``key[]`` stands for every element of a list."""
    values = [document]
    for part in path.split("."):
        key = part.removesuffix("[]")
        found = [v.get(key, MISSING) if isinstance(v, dict) else MISSING for v in values]
        if part.endswith("[]"):
            rows = [v for v in found if isinstance(v, list) and v]
            assert len(rows) == len(found), f"{key} is not a list of rows"
            found = [item for row in rows for item in row]
        values = found
    return values


def expected_value(text: str) -> Any:
    """A documented value as JSON (true, null, 1) where it parses, else as a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def check(document: Any, claim: str) -> str | None:
    """What is wrong with ``claim`` about ``document``, or None."""
    if claim.startswith("!"):
        present = [v for v in resolve(document, claim[1:]) if v is not MISSING]
        return f"{claim[1:]} should be absent, is {present}" if present else None
    path, _, text = claim.partition("=")
    values = resolve(document, path)
    if any(v is MISSING for v in values):
        return f"{path} is missing"
    if text:
        wanted = expected_value(text)
        wrong = [v for v in values if v != wanted and v != text]
        return f"{path} should be {text!r}, is {wrong}" if wrong else None
    return None


TABLE_ROWS = page_table()


def test_the_page_names_every_fixture_and_only_those() -> None:
    files = {path.name for path in FIXTURES.glob("*.json")}
    assert files == set(TABLE_ROWS), {
        "not on the page": sorted(files - set(TABLE_ROWS)),
        "on the page, no file": sorted(set(TABLE_ROWS) - files),
    }


def test_the_readme_gives_every_fixture_its_source() -> None:
    lines = README.read_text().splitlines()
    for name in sorted(path.name for path in FIXTURES.glob("*.json")):
        entries = [line for line in lines if line.startswith(f"- `{name}`")]
        assert len(entries) == 1, f"{name}: {len(entries)} lines in the README, not one"
        assert SOURCED.search(entries[0]), f"{name}: no docs.mono.co source, not 'constructed'"


@pytest.mark.parametrize(("name", "claims"), sorted(TABLE_ROWS.items()))
def test_fixture_carries_what_the_page_says(name: str, claims: list[str]) -> None:
    document = json.loads((FIXTURES / name).read_text())
    assert isinstance(document, dict), f"{name} is not a JSON object"
    assert claims, f"the page names no field of {name}"
    problems = [problem for claim in claims if (problem := check(document, claim))]
    assert not problems, f"{name}: " + "; ".join(problems)


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        ("data.id", False),
        ("data.gone", True),
        ("!data.gone", False),
        ("!data.id", True),
        ("data.rows[].kind=debit", False),
        ("data.rows[].kind=credit", True),
        ("!data.rows[].currency", False),
        ("data.flag=true", False),
        ("data.header=true", False),
        ("data.none=null", False),
    ],
)
def test_the_checker_reads_claims_as_the_page_describes(claim: str, wrong: bool) -> None:
    document = {
        "data": {
            "id": "a1",
            "rows": [{"kind": "debit"}, {"kind": "debit"}],
            "flag": True,
            "header": "true",
            "none": None,
        }
    }
    assert (check(document, claim) is not None) is wrong
