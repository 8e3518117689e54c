"""Every example the docs mark runnable runs, as written, against the offline stack.

A page's shell blocks run as one script, its Python blocks as one program
(docsite/runnable.py), with make local's addresses replaced by this stack's and
no AWS credentials but those the example sets itself. Runs after the domain-events
test (by name), whose rule must see the demo's first scheduled refresh.
"""

import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from docsite.runnable import examples, run_page
from tests.e2e.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(page for page in DOCS.rglob("*.md") if examples(page))
AWS_CLI = ROOT / ".tools" / "awscli" / "bin" / "aws"
DEMO_ACCOUNT = "6740a2b3c4d5e6f7a8000c01"


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory put first on the examples' PATH: the pinned AWS CLI as ``aws``."""
    assert AWS_CLI.exists(), f"{AWS_CLI} is missing: run `make aws-cli`"
    folder = tmp_path_factory.mktemp("bin")
    (folder / "aws").symlink_to(AWS_CLI)
    return folder


@pytest.fixture(scope="module")
def demo_stored(offline_stack: dict[str, Any]) -> None:
    """The examples read the demo's data: wait until its first account is stored."""

    def stored() -> bool:
        return httpx.get(f"{offline_stack['api_url']}/accounts/{DEMO_ACCOUNT}").status_code == 200

    wait_for(stored, timeout=180, every=1)


@pytest.mark.usefixtures("demo_stored")
@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(DOCS)))
def test_the_runnable_examples_on_a_page_work(
    page: Path, offline_stack: dict[str, Any], tools: Path
) -> None:
    runs = run_page(
        page,
        offline_stack,
        Path(offline_stack["state_file"]),
        ROOT,
        sys.executable,
        [tools, Path(sys.executable).parent],
        extra_env={"LOCAL_STATE": offline_stack["state_file"]},
    )
    for run in runs:
        assert run.returncode == 0, (
            f"{page.relative_to(ROOT)}: its {run.args[0]} examples failed "
            f"({run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        )


def test_the_pages_a_newcomer_follows_have_runnable_examples() -> None:
    names = {str(page.relative_to(DOCS)) for page in PAGES}
    assert {
        "getting-started.md",
        "deploy/index.md",
        "operate/index.md",
        "operate/sweeps.md",
        "operate/deliveries.md",
        "consume/read-api.md",
        "consume/change-feed.md",
        "consume/events.md",
        "develop/sam-local.md",
    } <= names
