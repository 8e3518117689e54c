"""The docs' runnable examples: which blocks are run, and with what addresses."""

from pathlib import Path

import pytest

from docsite.runnable import MarkerError, examples, localised

ROOT = Path(__file__).resolve().parents[2]


def page(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.md"
    path.write_text(text)
    return path


def test_only_marked_blocks_run_and_tabbed_ones_are_dedented(tmp_path: Path) -> None:
    found = examples(
        page(
            tmp_path,
            "```sh\nnot run\n```\n\n<!-- runnable -->\n```sh\necho one\n```\n\n"
            '=== "make local"\n\n    <!-- runnable -->\n    ```python\n    print(2)\n    ```\n',
        )
    )
    assert [(e.language, e.code) for e in found] == [("sh", "echo one"), ("python", "print(2)")]


@pytest.mark.parametrize("block", ["```json\n{}\n```\n", "text\n", ""])
def test_a_marker_must_precede_a_shell_or_python_block(tmp_path: Path, block: str) -> None:
    with pytest.raises(MarkerError, match=r"page\.md:1"):
        examples(page(tmp_path, "<!-- runnable -->\n" + block))


def test_make_locals_addresses_become_the_stacks() -> None:
    stack = {"api_url": "http://127.0.0.1:41000", "aws_endpoint_url": "http://127.0.0.1:42000"}
    code = (
        "curl http://127.0.0.1:3000/x; aws --endpoint-url http://127.0.0.1:5000; "
        "cat .local/stack.json"
    )
    assert localised(code, stack, Path("/state/s.json")) == (
        "curl http://127.0.0.1:41000/x; aws --endpoint-url http://127.0.0.1:42000; "
        "cat /state/s.json"
    )


def test_every_marker_in_the_docs_is_well_placed() -> None:
    for path in (ROOT / "docs").rglob("*.md"):
        examples(path)  # raises on a misplaced marker
