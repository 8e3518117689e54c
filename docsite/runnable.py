"""The docs' runnable examples: fenced blocks marked ``<!-- runnable -->``, run as written.

A page's runnable shell blocks run in order as one bash script (so a variable one
block sets is there for the next, as for a reader going down the page), its Python
blocks as one Python program, from the repository's root, against an offline
stack: ``make local``'s addresses in the text (``http://127.0.0.1:3000``, the
embedded AWS at ``:5000``, ``.local/stack.json``) become the stack's own. The
environment carries no AWS credentials: an example that needs them sets them,
as a reader's would have to. ``curl`` and ``awscurl`` fail on an HTTP error
(``--fail-with-body``), so an example that stops working fails its test.
"""

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MARKER = "<!-- runnable -->"
SHELLS = {"sh", "bash", "shell", "console"}
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,})\s*(?P<lang>[\w-]*)")
LOCAL = {
    "http://127.0.0.1:3000": "api_url",
    "http://127.0.0.1:5000": "aws_endpoint_url",
}
# What every shell example runs with: an HTTP error is a failed command.
PRELUDE = """set -euo pipefail
curl() { command curl --fail-with-body "$@"; }
awscurl() { command awscurl --fail-with-body "$@"; }
"""


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    language: str  # "sh" or "python"
    code: str


class MarkerError(ValueError):
    """A runnable marker not followed by a fenced block of a language the runner runs."""


def examples(page: Path) -> list[Example]:
    lines = page.read_text().splitlines()
    found, index = [], 0
    while index < len(lines):
        if lines[index].strip() != MARKER:
            index += 1
            continue
        start = index + 1
        while start < len(lines) and not lines[start].strip():
            start += 1
        opening = FENCE.match(lines[start]) if start < len(lines) else None
        language = opening["lang"] if opening else ""
        if not opening or (language not in SHELLS and language != "python"):
            raise MarkerError(f"{page}:{index + 1}: {MARKER} must precede a sh or python block")
        indent, fence = opening["indent"], opening["fence"]
        end = start + 1
        while end < len(lines) and lines[end].strip() != fence:
            end += 1
        body = [line.removeprefix(indent) for line in lines[start + 1 : end]]
        found.append(
            Example(page, start + 1, "python" if language == "python" else "sh", "\n".join(body))
        )
        index = end + 1
    return found


def localised(code: str, stack: Mapping[str, object], state_file: Path) -> str:
    for address, key in LOCAL.items():
        code = code.replace(address, str(stack[key]))
    return code.replace(".local/stack.json", str(state_file))


def clean_environment(path_first: list[Path]) -> dict[str, str]:
    """This process's environment without AWS settings, tools first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "MOTO_PORT"}
    env["PATH"] = os.pathsep.join([*map(str, path_first), env.get("PATH", "")])
    env["HOME"] = env.get("HOME", "/tmp")  # noqa: S108 (the AWS CLI wants one)
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    return env


def run_page(
    page: Path,
    stack: Mapping[str, object],
    state_file: Path,
    root: Path,
    python: str,
    path_first: list[Path],
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> list[subprocess.CompletedProcess[str]]:
    """Run ``page``'s examples: its shell blocks as one script, its Python blocks as one
    program. Returns each run; the caller judges the exit codes."""
    runs = []
    env = {**clean_environment(path_first), **(extra_env or {})}
    by_language: dict[str, list[Example]] = {}
    for example in examples(page):
        by_language.setdefault(example.language, []).append(example)
    for language, blocks in by_language.items():
        joined = "\n".join(
            f"# {page.name}:{b.line}\n{localised(b.code, stack, state_file)}" for b in blocks
        )
        command = ["bash", "-c", PRELUDE + joined] if language == "sh" else [python, "-c", joined]
        runs.append(
            subprocess.run(  # noqa: S603 (the docs' own examples, on loopback)
                command,
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        )
    return runs
