"""Comments and docstrings say why, not what was measured on a given day: figures
belong on the performance page (docs/performance/), where `make bench` keeps them."""

import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = [ROOT / "layers" / "banksync" / "banksync", ROOT / "functions", ROOT / "devstack"]
# A duration in milliseconds, a ratio (to the cold-start floor), or the word itself.
MEASURED = re.compile(r"\b\d+(\.\d+)? ?ms\b|\b\d+\.\d+ ?[x\u00d7]|\bmeasured\b", re.IGNORECASE)


def prose(path: Path) -> list[tuple[int, str]]:
    """Each comment and docstring line of ``path``."""
    found = []
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    previous = tokenize.NEWLINE
    for token in tokens:
        docstring = token.type == tokenize.STRING and previous in (
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.NL,
        )
        if token.type == tokenize.COMMENT or docstring:
            for offset, line in enumerate(token.string.splitlines()):
                found.append((token.start[0] + offset, line))
        if token.type not in (tokenize.COMMENT, tokenize.NL):
            previous = token.type
    return found


def sources() -> list[Path]:
    return sorted(path for folder in CODE for path in folder.rglob("*.py"))


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_comments_carry_no_measured_figures(path: Path) -> None:
    figures = [f"{n}: {line.strip()}" for n, line in prose(path) if MEASURED.search(line)]
    assert not figures, "move these figures to docs/performance/:\n" + "\n".join(figures)
