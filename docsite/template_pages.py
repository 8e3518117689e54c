"""Pages from template.yaml: the stack's parameters, its alarms, the DataTable's indexes."""

import fnmatch
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devstack.template import StackTemplate
from docsite.markdown import code, page, table

ACTIONS = Path(__file__).with_name("alarm_actions.md")


class MissingDocsError(ValueError):
    """The template has something the docs must explain, and they do not."""


def _allowed(spec: Mapping[str, Any]) -> str:
    if "AllowedValues" in spec:
        return ", ".join(code(v) for v in spec["AllowedValues"])
    bounds = []
    if "MinValue" in spec:
        bounds.append(f"≥ {spec['MinValue']}")
    if "MaxValue" in spec:
        bounds.append(f"≤ {spec['MaxValue']}")
    if "AllowedPattern" in spec:
        bounds.append(f"matches {code(spec['AllowedPattern'])}")
    return ", ".join(bounds) or "any"


def parameters_page(template: StackTemplate) -> str:
    rows = []
    for name, spec in template.body["Parameters"].items():
        if not spec.get("Description"):
            raise MissingDocsError(f"parameter {name} has no Description in template.yaml")
        default = spec.get("Default")
        shown = "(empty)" if default == "" else code(default) if default is not None else "—"
        rows.append([code(name), spec["Type"], shown, _allowed(spec), spec["Description"]])
    return page(
        "template.yaml's Parameters",
        "# Stack parameters",
        "Every parameter of `template.yaml`, with its default, the values it accepts and what "
        "it does. `sam deploy --guided` asks for each one and saves your answers in "
        "`samconfig.toml` (`parameter_overrides`); `make local --parameter Name=Value` sets "
        "one on the offline stack, checked the same way. See [Deploy](index.md) for the ones a "
        "first deployment should think about.\n",
        table(["parameter", "type", "default", "accepts", "what it does"], rows),
    )


def _referenced(value: Any) -> str:
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        return str(target[0] if isinstance(target, list) else target.split(".")[0])
    return str(value)


def _condition(props: Mapping[str, Any]) -> str:
    minutes = int(props["Period"]) // 60
    periods = int(props["EvaluationPeriods"])
    needed = int(props.get("DatapointsToAlarm", periods))
    comparison = {"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": "≥"}.get(
        props["ComparisonOperator"], props["ComparisonOperator"]
    )
    when = f"{props['Statistic']} {comparison} {props['Threshold']}"
    if periods == 1:
        return f"{when} in a {minutes}-minute period"
    return f"{when} in {needed} of {periods} {minutes}-minute periods"


def _actions() -> dict[str, str]:
    """Alarm name (or a glob of names) → what to do, from alarm_actions.md."""
    sections = re.split(r"^## ", ACTIONS.read_text(), flags=re.MULTILINE)[1:]
    found = {}
    for section in sections:
        heading, _, body = section.partition("\n")
        for name in heading.split(","):
            found[name.strip()] = body.strip()
    return found


def _action(name: str, actions: Mapping[str, str]) -> str:
    if name in actions:
        return actions[name]
    for pattern, text in actions.items():
        if "*" in pattern and fnmatch.fnmatchcase(name, pattern):
            return text
    raise MissingDocsError(f"alarm {name} has no entry in {ACTIONS.name}: say what to do")


def alarms_page(template: StackTemplate) -> str:
    actions = _actions()
    alarms = list(template.resources("AWS::CloudWatch::Alarm"))
    unknown = [
        n for n in actions if "*" not in n and n not in {logical_id for logical_id, _ in alarms}
    ]
    if unknown:
        raise MissingDocsError(f"{ACTIONS.name} names alarms the template lacks: {unknown}")
    rows, sections = [], []
    for name, resource in alarms:
        props = resource["Properties"]
        (dimension,) = props["Dimensions"]
        watched = _referenced(dimension["Value"])
        metric = f"{props['Namespace']} {props['MetricName']}"
        rows.append(
            [f"[{name}](#{name.lower()})", f"{metric} of {code(watched)}", _condition(props)]
        )
        sections.append(
            f"### {name}\n\n"
            f"**Watches** {metric} of `{watched}`: {_condition(props)}.\n\n"
            f"**Means** {' '.join(str(props['AlarmDescription']).split())}\n\n"
            f"**Do** {_action(name, actions)}\n"
        )
    return page(
        "template.yaml's alarms and docsite/alarm_actions.md",
        "# Alarms",
        "Every CloudWatch alarm the stack creates: what it watches, what it means and what "
        "to do. Each one notifies the `AlarmTopicArn` output's SNS topic when it fires and "
        "again when it clears (the `AlarmEmail` parameter subscribes an address to it). The "
        "stack's dashboard (`DashboardName` output) graphs the same metrics; see "
        "[Operate](index.md).\n",
        table(["alarm", "watches", "fires when"], rows),
        *sections,
    )


def data_table_indexes(template: StackTemplate) -> str:
    props = template.body["Resources"]["DataTable"]["Properties"]
    rows = []
    for index in props["GlobalSecondaryIndexes"]:
        keys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
        projection = index["Projection"]["ProjectionType"]
        rows.append(
            [code(index["IndexName"]), code(keys["HASH"]), code(keys.get("RANGE", "—")), projection]
        )
    count = len(rows)
    return f"The DataTable has {count} global secondary indexes:\n\n" + table(
        ["index", "partition key", "sort key", "projection"], rows
    )
