"""The docs' generated pages say what their sources say: the template's parameters and
alarms, the OpenAPI document, the schemas, `make bench`'s output (`make docs-gen`)."""

import re
from pathlib import Path

import pytest

from devstack.template import StackTemplate
from docsite import generate, template_pages
from docsite.bench_page import BenchOutputError, performance_page
from docsite.live_page import live_page
from docsite.template_pages import MissingDocsError, alarms_page, parameters_page

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = generate.expected()


@pytest.mark.parametrize("path", sorted(EXPECTED), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_generated_page_matches_its_source(path: Path) -> None:
    stale = f"{path.relative_to(ROOT)} is out of date: run `make docs-gen` and commit it"
    assert path.exists(), stale
    assert path.read_text() == EXPECTED[path], stale


def test_every_parameter_and_alarm_of_the_template_is_on_its_page() -> None:
    template = StackTemplate.load()
    parameters = (ROOT / "docs" / "deploy" / "parameters.md").read_text()
    alarms = (ROOT / "docs" / "operate" / "alarms.md").read_text()
    for name in template.body["Parameters"]:
        assert f"| `{name}` |" in parameters
    for name, _ in template.resources("AWS::CloudWatch::Alarm"):
        assert f"### {name}\n" in alarms


def test_a_parameter_without_a_description_fails_the_generator() -> None:
    template = StackTemplate.load()
    del template.body["Parameters"]["ReplaysPerMinute"]["Description"]
    with pytest.raises(MissingDocsError, match="ReplaysPerMinute"):
        parameters_page(template)


def test_an_alarm_without_an_action_fails_the_generator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    actions = template_pages.ACTIONS.read_text()
    without = re.sub(r"## PushDeadLettersAlarm\n.*?(?=\n## )", "", actions, flags=re.DOTALL)
    (tmp_path / "alarm_actions.md").write_text(without)
    monkeypatch.setattr(template_pages, "ACTIONS", tmp_path / "alarm_actions.md")
    with pytest.raises(MissingDocsError, match="PushDeadLettersAlarm"):
        alarms_page(StackTemplate.load())


def test_an_action_for_an_alarm_the_template_lacks_fails_the_generator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "alarm_actions.md").write_text(
        template_pages.ACTIONS.read_text() + "\n## GoneAlarm\nNothing.\n"
    )
    monkeypatch.setattr(template_pages, "ACTIONS", tmp_path / "alarm_actions.md")
    with pytest.raises(MissingDocsError, match="GoneAlarm"):
        alarms_page(StackTemplate.load())


def test_the_performance_page_needs_the_figures_it_shows() -> None:
    results = (ROOT / "bench" / "results.txt").read_text()
    with pytest.raises(BenchOutputError, match=r"bench\.cost_model"):
        performance_page(results.replace("steady state with webhooks:", "steady state:"))
    with pytest.raises(BenchOutputError, match="== run"):
        performance_page(results.replace("== run", "== ran"))


def test_the_live_page_needs_the_run_the_scenario_and_the_figures() -> None:
    results = (ROOT / "bench" / "live-results.txt").read_text()
    assert "| items succeeded with the right data |" in live_page(results)
    without_table = "\n".join(line for line in results.splitlines() if not line.startswith("|"))
    with pytest.raises(BenchOutputError, match="table"):
        live_page(without_table)
    with pytest.raises(BenchOutputError, match="== run"):
        live_page(results.replace("== run", "== ran"))


NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
COUNTED = re.compile(
    r"(?:DataTable|[Tt]he table)\b[^.]{0,60}?\b(one|two|three|four|five|six|\d+)"
    r" (?:global secondary )?index(?:es)?\b"
    r"|[Tt]he (?:Data)?[Tt]able has (one|two|three|four|five|six|\d+)\b"
)


def test_the_docs_and_readme_count_the_data_tables_indexes_right() -> None:
    template = StackTemplate.load()
    indexes = template.body["Resources"]["DataTable"]["Properties"]["GlobalSecondaryIndexes"]
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    wrong = []
    for page in pages:
        text = " ".join(page.read_text().split())
        for found in COUNTED.finditer(text):
            word = found.group(1) or found.group(2)
            if int(NUMBERS.get(word, word)) != len(indexes):
                wrong.append(f"{page.relative_to(ROOT)}: {found.group(0)!r}")
    assert not wrong, f"the DataTable has {len(indexes)} indexes:\n" + "\n".join(wrong)
    readme = (ROOT / "README.md").read_text()
    assert all(str(index["IndexName"]) in readme for index in indexes)
