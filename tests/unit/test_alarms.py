"""What a deployer is told about: every failure queue, failed runs, failing or throttled
functions, late streams; and a dashboard of the product's own metrics."""

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.template import TEMPLATE_PATH, StackTemplate

ROOT = TEMPLATE_PATH.parent
CODE = (ROOT / "layers" / "banksync" / "banksync", ROOT / "functions")


@pytest.fixture(scope="module")
def template() -> StackTemplate:
    return StackTemplate.load()


def alarms(template: StackTemplate) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template.resources("AWS::CloudWatch::Alarm")
    }


def referenced(value: Any) -> str | None:
    """The logical id behind ``!Ref X`` or ``!GetAtt X.Attr``."""
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        return str(target[0] if isinstance(target, list) else target.split(".")[0])
    return None


def watching(template: StackTemplate, namespace: str, metric: str) -> dict[str, dict[str, Any]]:
    """The alarms on ``metric``, by the resource their one dimension names."""
    found = {}
    for props in alarms(template).values():
        if (props["Namespace"], props["MetricName"]) == (namespace, metric):
            (dimension,) = props["Dimensions"]
            found[str(referenced(dimension["Value"]))] = props
    return found


def failure_queues(template: StackTemplate) -> set[str]:
    """Every queue something parks its failures in: redrive targets, schedules'
    dead-letter queues, stream event sources' on-failure destinations."""
    queues = set()
    for _, resource in template.resources():
        props = resource.get("Properties", {})
        queues.add(referenced(props.get("RedrivePolicy", {}).get("deadLetterTargetArn")))
        queues.add(referenced(props.get("Target", {}).get("DeadLetterConfig", {}).get("Arn")))
        for event in props.get("Events", {}).values():
            on_failure = event["Properties"].get("DestinationConfig", {}).get("OnFailure", {})
            queues.add(referenced(on_failure.get("Destination")))
    return {queue for queue in queues if queue}


def functions(template: StackTemplate) -> list[str]:
    return [logical_id for logical_id, _ in template.resources("AWS::Serverless::Function")]


def stream_functions(template: StackTemplate) -> list[str]:
    return [
        logical_id
        for logical_id, resource in template.resources("AWS::Serverless::Function")
        if any(e["Type"] == "DynamoDB" for e in resource["Properties"].get("Events", {}).values())
    ]


def test_the_failure_queues_are_found(template: StackTemplate) -> None:
    assert failure_queues(template) == {
        "DueRefreshDeadLetterQueue",
        "ScheduleDeadLetterQueue",
        "PushDeadLetterQueue",
        "DeliveryDeadLetterQueue",
        "StreamFailureQueue",
    }


def test_any_message_in_a_failure_queue_alarms(template: StackTemplate) -> None:
    watched = watching(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
    for queue in failure_queues(template):
        props = watched.get(queue)
        assert props is not None, f"no alarm on {queue}"
        assert (props["Statistic"], props["Threshold"]) == ("Maximum", 0)
        assert props["ComparisonOperator"] == "GreaterThanThreshold"


@pytest.mark.parametrize("metric", ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"])
def test_a_refresh_run_that_did_not_succeed_alarms(template: StackTemplate, metric: str) -> None:
    props = watching(template, "AWS/States", metric).get("RefreshStateMachine")
    assert props is not None
    assert (props["Statistic"], props["Threshold"], props["EvaluationPeriods"]) == ("Sum", 0, 1)


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_its_own_errors_and_throttles_alarm(
    template: StackTemplate, metric: str
) -> None:
    watched = watching(template, "AWS/Lambda", metric)
    assert set(watched) == set(functions(template))
    for function, props in watched.items():
        assert (props["Statistic"], props["Threshold"]) == ("Sum", 0), function


def test_only_the_starter_waits_for_its_errors_to_last(template: StackTemplate) -> None:
    """It raises the provider's 429 and 503 and the budget's refusals on purpose, for the
    state machine to retry; any other function's error is a failure at once."""
    lasting = {
        function
        for function, props in watching(template, "AWS/Lambda", "Errors").items()
        if props["EvaluationPeriods"] > 1
    }
    assert lasting == {"RefreshStarterFunction"}


def test_every_stream_triggered_function_alarms_when_it_falls_behind(
    template: StackTemplate,
) -> None:
    assert set(stream_functions(template)) == {
        "AuthListenerFunction",
        "PushListenerFunction",
        "NotifierFunction",
    }
    watched = watching(template, "AWS/Lambda", "IteratorAge")
    assert set(watched) == set(stream_functions(template))
    for props in watched.values():
        assert props["Statistic"] == "Maximum"
        # Well inside the WebhookFallbackSeconds default (600 s): a pushed update
        # read later than the fallback poll would no longer wake anything.
        assert props["Threshold"] <= 300_000


def test_every_alarm_notifies_the_topic_when_it_fires_and_when_it_clears(
    template: StackTemplate,
) -> None:
    assert len(alarms(template)) >= 30
    for logical_id, props in alarms(template).items():
        assert [referenced(a) for a in props["AlarmActions"]] == ["AlarmTopic"], logical_id
        assert [referenced(a) for a in props["OKActions"]] == ["AlarmTopic"], logical_id
        assert props["TreatMissingData"] == "notBreaching", logical_id
        assert len(props["AlarmDescription"].split()) >= 8, logical_id


def test_the_topic_is_encrypted_with_a_key_alarms_may_use(template: StackTemplate) -> None:
    topic = template.body["Resources"]["AlarmTopic"]["Properties"]
    assert referenced(topic["KmsMasterKeyId"]) == "TelemetryKey"
    statements = template.body["Resources"]["TelemetryKey"]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s["Principal"].get("Service") == "cloudwatch.amazonaws.com" for s in statements)


@pytest.mark.parametrize(("email", "subscribed"), [("", False), ("ops@example.com", True)])
def test_the_email_subscription_exists_only_with_an_address(email: str, subscribed: bool) -> None:
    template = StackTemplate.load()
    assert template.body["Parameters"]["AlarmEmail"]["Default"] == ""
    template.parameters["AlarmEmail"] = email
    subscription = template.body["Resources"]["AlarmEmailSubscription"]
    assert template.condition(subscription["Condition"]) is subscribed
    assert subscription["Properties"]["Protocol"] == "email"


def test_the_email_parameter_refuses_what_is_no_address(template: StackTemplate) -> None:
    pattern = re.compile(template.body["Parameters"]["AlarmEmail"]["AllowedPattern"])
    assert pattern.fullmatch("")
    assert pattern.fullmatch("ops@example.com")
    for wrong in ("ops", "ops@example", "two words@example.com"):
        assert not pattern.fullmatch(wrong), wrong


def product_metric_names() -> set[str]:
    """Every metric name the code publishes: the string constants in the ``name`` of
    ``add_metric`` and ``single_metric`` calls, through module-level tables they index."""
    names: set[str] = set()
    for path in (p for folder in CODE for p in Path(folder).rglob("*.py")):
        tree = ast.parse(path.read_text())
        tables = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            called = call.func.attr if isinstance(call.func, ast.Attribute) else None
            called = called or (call.func.id if isinstance(call.func, ast.Name) else None)
            if called not in ("add_metric", "single_metric"):
                continue
            for keyword in (k for k in call.keywords if k.arg == "name"):
                names |= constants(keyword.value, tables)
    return names


def constants(node: ast.expr, tables: dict[str, ast.expr]) -> set[str]:
    """The strings ``node`` can evaluate to (not those it compares against)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return constants(node.body, tables) | constants(node.orelse, tables)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        table = tables.get(node.value.id)
        if isinstance(table, ast.Dict):
            return {
                v.value
                for v in table.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            }
    return set()


def dashboard_metrics(template: StackTemplate) -> Iterator[tuple[str, str]]:
    body = template.body["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    # Only the structure is judged here: any value stands in for the stack's names.
    dashboard = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))
    for widget in dashboard["widgets"]:
        assert {"x", "y", "width", "height"} <= set(widget)
        for metric in widget["properties"]["metrics"]:
            if isinstance(metric[0], dict):  # a SEARCH expression
                expression = metric[0]["expression"]
                namespace = re.search(r"\{(\w+),", expression)
                name = re.search(r'MetricName="(\w+)"', expression)
                assert namespace, expression
                assert name, expression
                yield namespace.group(1), name.group(1)
            else:
                yield metric[0], metric[1]


def test_the_code_publishes_the_metrics_the_readme_names() -> None:
    assert {
        "WebhookReceived",
        "WebhookDuplicate",
        "WebhookRejected",
        "RefreshItemSucceeded",
        "RefreshItemTimedOut",
        "WebhookDelivered",
        "WebhookAbandoned",
    } <= product_metric_names()


def test_the_dashboard_shows_every_product_metric(template: StackTemplate) -> None:
    shown = {name for namespace, name in dashboard_metrics(template) if namespace == "banksync"}
    assert product_metric_names() <= shown


def test_the_dashboard_shows_the_key_aws_metrics(template: StackTemplate) -> None:
    shown = set(dashboard_metrics(template))
    assert {("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles")} <= shown
    assert {("AWS/Lambda", "IteratorAge"), ("AWS/States", "ExecutionsFailed")} <= shown
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible") in shown
    assert ("AWS/ApiGateway", "5xx") in shown
