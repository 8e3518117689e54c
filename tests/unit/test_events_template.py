"""The template's event bus and domain-events Pipe: wired as the README says, least privilege."""

from typing import Any

import pytest

from devstack.template import StackTemplate


@pytest.fixture(scope="module")
def template() -> StackTemplate:
    return StackTemplate.load()


def resource(template: StackTemplate, logical_id: str) -> Any:
    return template.body["Resources"][logical_id]


def test_the_bus_arn_and_name_are_exported_outputs(template: StackTemplate) -> None:
    outputs = template.body["Outputs"]
    assert outputs["EventBusArn"]["Value"] == {"Fn::GetAtt": ["EventBus", "Arn"]}
    assert outputs["EventBusArn"]["Export"]["Name"] == {"Fn::Sub": "${AWS::StackName}-EventBusArn"}
    assert outputs["EventBusName"]["Value"] == {"Ref": "EventBus"}
    assert outputs["EventBusName"]["Export"]["Name"] == {
        "Fn::Sub": "${AWS::StackName}-EventBusName"
    }


def test_the_pipe_reads_the_data_stream_enriches_and_targets_the_bus(
    template: StackTemplate,
) -> None:
    props = resource(template, "DomainEventsPipe")["Properties"]
    assert props["Source"] == {"Fn::GetAtt": ["DataTable", "StreamArn"]}
    assert props["Enrichment"] == {"Fn::GetAtt": ["EventEnricherFunction", "Arn"]}
    assert props["Target"] == {"Fn::GetAtt": ["EventBus", "Arn"]}
    assert props["TargetParameters"]["EventBridgeEventBusParameters"] == {
        "Source": "banksync",
        "DetailType": "banksync.event",
    }
    stream = props["SourceParameters"]["DynamoDBStreamParameters"]
    assert stream["BatchSize"] <= 10  # the bus takes at most 10 entries per batch
    assert stream["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}
    assert stream["StartingPosition"] == "LATEST"


def test_the_pipes_role_may_do_exactly_what_the_pipe_does(template: StackTemplate) -> None:
    role = resource(template, "DomainEventsPipeRole")["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "pipes.amazonaws.com"}
    assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    (policy,) = role["Policies"]
    granted = {
        (action, str(statement["Resource"]))
        for statement in policy["PolicyDocument"]["Statement"]
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    stream = str({"Fn::GetAtt": ["DataTable", "StreamArn"]})
    assert granted == {
        ("dynamodb:DescribeStream", stream),
        ("dynamodb:GetRecords", stream),
        ("dynamodb:GetShardIterator", stream),
        ("dynamodb:ListStreams", "*"),  # it names no resource
        ("lambda:InvokeFunction", str({"Fn::GetAtt": ["EventEnricherFunction", "Arn"]})),
        ("events:PutEvents", str({"Fn::GetAtt": ["EventBus", "Arn"]})),
        ("sqs:SendMessage", str({"Fn::GetAtt": ["StreamFailureQueue", "Arn"]})),
    }


def test_the_enrichment_has_no_data_access_and_no_trigger_of_its_own(
    template: StackTemplate,
) -> None:
    props = resource(template, "EventEnricherFunction")["Properties"]
    role = resource(template, "EventEnricherFunctionRole")["Properties"]
    assert props["Role"] == {"Fn::GetAtt": ["EventEnricherFunctionRole", "Arn"]}
    assert "Policies" not in role  # its traces (FunctionTracing) and its logs only
    assert "Events" not in props
    assert "Environment" not in props
