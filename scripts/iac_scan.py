"""`make iac`: checkov and cfn-lint (with its serverless rules) on template.yaml.

Every finding must be accepted in .iac-baseline.yaml, with its reason. An accepted
finding that no longer occurs fails the scan as well, so the baseline never
excuses more than the template needs. Runs in the scanners' own venv (.tools/iac):
the tools are found beside the interpreter running this script.
"""

import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
BASELINE = ROOT / ".iac-baseline.yaml"
TOOLS = ("checkov", "cfn-lint")


@dataclass(frozen=True, order=True)
class Finding:
    tool: str
    check: str
    resource: str
    message: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.tool, self.check, self.resource


@dataclass(frozen=True)
class Accepted:
    tool: str
    check: str
    resources: tuple[str, ...]
    reason: str

    def accepts(self) -> set[tuple[str, str, str]]:
        return {(self.tool, self.check, resource) for resource in self.resources}


class BaselineError(ValueError):
    pass


def load_baseline(text: str) -> list[Accepted]:
    """The accepted findings, checked: a known tool, a check, resources, a reason."""
    document = yaml.safe_load(text) or {}
    entries = document.get("accepted") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise BaselineError("the baseline needs a list named accepted")
    accepted: list[Accepted] = []
    seen: set[tuple[str, str, str]] = set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise BaselineError(f"entry {number} is not a mapping")
        tool, check, reason = entry.get("tool"), entry.get("check"), entry.get("reason")
        resources = entry.get("resources")
        if tool not in TOOLS:
            raise BaselineError(f"entry {number}: tool must be one of {list(TOOLS)}")
        if not isinstance(check, str) or not check:
            raise BaselineError(f"entry {number}: check is required")
        if not isinstance(reason, str) or len(reason.split()) < 5:
            raise BaselineError(f"entry {number} ({check}): say why, in a sentence")
        if not isinstance(resources, list) or not resources:
            raise BaselineError(f"entry {number} ({check}): list the resources it accepts")
        item = Accepted(tool, check, tuple(str(r) for r in resources), reason.strip())
        twice = seen & item.accepts()
        if twice:
            raise BaselineError(f"entry {number} ({check}): accepted twice: {sorted(twice)}")
        seen |= item.accepts()
        accepted.append(item)
    return accepted


def compare(
    findings: Iterable[Finding], accepted: Iterable[Accepted]
) -> tuple[list[Finding], list[tuple[str, str, str]]]:
    """(findings no entry accepts, accepted findings that did not occur)."""
    found = sorted(set(findings))
    allowed = {key for entry in accepted for key in entry.accepts()}
    new = [finding for finding in found if finding.key not in allowed]
    stale = sorted(allowed - {finding.key for finding in found})
    return new, stale


def checkov_findings(report: Any) -> set[Finding]:
    """Failed checks from ``checkov -o json`` (one report, or a list of them)."""
    reports = report if isinstance(report, list) else [report]
    findings: set[Finding] = set()
    for one in reports:
        if one.get("summary", {}).get("parsing_errors"):
            raise RuntimeError("checkov could not parse the template")
        for failed in one.get("results", {}).get("failed_checks", []):
            # "AWS::SQS::Queue.PushQueue": the logical id follows the type.
            resource = str(failed["resource"]).rsplit(".", 1)[-1]
            findings.add(Finding("checkov", failed["check_id"], resource, failed["check_name"]))
    return findings


def cfn_lint_findings(matches: Iterable[Mapping[str, Any]]) -> set[Finding]:
    """Matches from ``cfn-lint --format json``; one outside Resources is named by its path."""
    findings: set[Finding] = set()
    for match in matches:
        path = [str(part) for part in match["Location"]["Path"]]
        resource = path[1] if path[:1] == ["Resources"] and len(path) > 1 else "/".join(path)
        findings.add(Finding("cfn-lint", match["Rule"]["Id"], resource, match["Message"]))
    return findings


def scan(bin_dir: Path, template: Path = TEMPLATE) -> set[Finding]:
    """Both tools at once (each takes a few seconds); their exit codes only say that
    something was found, so their JSON reports decide."""
    commands = {
        "checkov": [
            str(bin_dir / "checkov"),
            *("-f", str(template), "--framework", "cloudformation"),
            # Offline: no guideline download, nothing uploaded.
            *("--skip-download", "--quiet", "--output", "json"),
        ],
        "cfn-lint": [
            str(bin_dir / "cfn-lint"),
            str(template),
            *("--append-rules", "cfn_lint_serverless.rules", "--format", "json"),
        ],
    }
    running = {
        # The commands are this script's own, with paths it chose.
        tool: subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for tool, command in commands.items()
    }
    findings: set[Finding] = set()
    for tool, process in running.items():
        out, err = process.communicate()
        try:
            report = json.loads(out)
        except json.JSONDecodeError:
            raise RuntimeError(f"{tool} exited {process.returncode}:\n{err or out}") from None
        findings |= checkov_findings(report) if tool == "checkov" else cfn_lint_findings(report)
    return findings


def main() -> int:
    accepted = load_baseline(BASELINE.read_text())
    findings = scan(Path(sys.executable).parent)
    new, stale = compare(findings, accepted)
    for finding in new:
        print(f"NEW    {finding.tool} {finding.check} {finding.resource}: {finding.message}")
    for tool, check, resource in stale:
        print(f"STALE  {tool} {check} {resource}: accepted in the baseline, no longer found")
    if new or stale:
        print(
            f"iac: fix each finding or accept it in {BASELINE.name}, saying why; drop stale entries"
        )
        return 1
    by_tool = {tool: sum(1 for f in findings if f.tool == tool) for tool in TOOLS}
    print(
        f"iac: {len(findings)} findings ({by_tool['checkov']} checkov, "
        f"{by_tool['cfn-lint']} cfn-lint), every one accepted in {BASELINE.name}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
