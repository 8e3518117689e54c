"""The IaC scan's baseline: each accepted finding says why, names resources that
exist, and the comparison fails on a finding not accepted and on an entry outlived."""

from typing import Any

import pytest

from devstack.template import StackTemplate
from scripts.iac_scan import (
    BASELINE,
    Accepted,
    BaselineError,
    Finding,
    cfn_lint_findings,
    checkov_findings,
    compare,
    load_baseline,
)


def test_every_accepted_finding_names_resources_of_the_template() -> None:
    resources = set(StackTemplate.load().body["Resources"])
    accepted = load_baseline(BASELINE.read_text())
    assert accepted
    for entry in accepted:
        assert set(entry.resources) <= resources, entry.check


def test_a_finding_not_accepted_and_an_entry_outlived_both_fail() -> None:
    accepted = [Accepted("checkov", "CKV_1", ("A", "B"), "a reason said in words")]
    findings = [Finding("checkov", "CKV_1", "A"), Finding("cfn-lint", "ES1", "A")]
    new, stale = compare(findings, accepted)
    assert new == [Finding("cfn-lint", "ES1", "A")]
    assert stale == [("checkov", "CKV_1", "B")]


def test_the_same_check_from_another_tool_is_not_accepted() -> None:
    accepted = [Accepted("cfn-lint", "X1", ("A",), "a reason said in words")]
    new, stale = compare([Finding("checkov", "X1", "A")], accepted)
    assert new == [Finding("checkov", "X1", "A")]
    assert stale == [("cfn-lint", "X1", "A")]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("accepted: nothing", "list named accepted"),
        (
            "accepted: [{tool: trivy, check: X, resources: [A], reason: one two three four five}]",
            "tool must be",
        ),
        ("accepted: [{tool: checkov, check: X, resources: [A], reason: because}]", "say why"),
        (
            "accepted: [{tool: checkov, check: X, resources: [], reason: one two three four five}]",
            "list the resources",
        ),
        (
            "accepted: [{tool: checkov, check: X, resources: [A], reason: one two three four five},"
            " {tool: checkov, check: X, resources: [A], reason: one two three four five}]",
            "accepted twice",
        ),
    ],
)
def test_an_entry_without_its_parts_is_refused(text: str, problem: str) -> None:
    with pytest.raises(BaselineError, match=problem):
        load_baseline(text)


def test_checkov_reports_are_read_alone_or_as_a_list() -> None:
    report: dict[str, Any] = {
        "results": {
            "failed_checks": [
                {
                    "check_id": "CKV_AWS_27",
                    "resource": "AWS::SQS::Queue.PushQueue",
                    "check_name": "n",
                }
            ]
        },
        "summary": {"parsing_errors": 0},
    }
    expected = {Finding("checkov", "CKV_AWS_27", "PushQueue", "n")}
    assert checkov_findings(report) == expected
    assert checkov_findings([report]) == expected
    with pytest.raises(RuntimeError, match="could not parse"):
        checkov_findings({"summary": {"parsing_errors": 1}})


def test_cfn_lint_matches_are_named_by_their_resource() -> None:
    matches = [
        {"Rule": {"Id": "ES6000"}, "Message": "m", "Location": {"Path": ["Resources", "Q", "x"]}},
        {"Rule": {"Id": "W1"}, "Message": "m", "Location": {"Path": ["Outputs", "O"]}},
    ]
    assert cfn_lint_findings(matches) == {
        Finding("cfn-lint", "ES6000", "Q", "m"),
        Finding("cfn-lint", "W1", "Outputs/O", "m"),
    }
