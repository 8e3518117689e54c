"""`make invoke`: which function, which event, and the stack's token in a webhook event."""

import json
from pathlib import Path

import pytest

from devstack.invoke import (
    EVENT_WEBHOOK_TOKEN,
    FUNCTION_EVENTS,
    InvokeError,
    invoke,
    load_event,
    logical_id,
    with_stack_token,
)
from devstack.template import StackTemplate

FUNCTIONS = {"WebhookReceiverFunction": {"code_uri": "functions/webhook_receiver/"}}


def test_a_function_is_named_by_its_logical_id_or_its_folder() -> None:
    assert logical_id("WebhookReceiverFunction", FUNCTIONS) == "WebhookReceiverFunction"
    assert logical_id("webhook_receiver", FUNCTIONS) == "WebhookReceiverFunction"
    with pytest.raises(InvokeError, match="one of: WebhookReceiverFunction"):
        logical_id("nope", FUNCTIONS)


def test_every_function_of_the_template_has_events_that_exist() -> None:
    functions = {lid for lid, _ in StackTemplate.load().resources("AWS::Serverless::Function")}
    assert set(FUNCTION_EVENTS) == functions
    for function, events in FUNCTION_EVENTS.items():
        for name in events:
            path, event = load_event(f"events/{name}", function)
            assert path.exists()
            assert event


def test_the_placeholder_token_becomes_the_stacks() -> None:
    _, event = load_event(None, "WebhookReceiverFunction")
    assert event["headers"]["authorization"] == f"Bearer {EVENT_WEBHOOK_TOKEN}"
    assert with_stack_token(event, "t0k3n")["headers"]["authorization"] == "Bearer t0k3n"
    _, forged = load_event("events/webhook_bad_token.json", "WebhookReceiverFunction")
    assert with_stack_token(forged, "t0k3n") == forged  # a wrong token stays wrong


def test_without_a_running_stack_it_says_to_start_one(tmp_path: Path) -> None:
    with pytest.raises(InvokeError, match="start `make local` first"):
        invoke("WebhookReceiverFunction", None, tmp_path / "stack.json")


def test_an_unknown_event_file_is_named(tmp_path: Path) -> None:
    state = tmp_path / "stack.json"
    state.write_text(json.dumps({"functions": FUNCTIONS}))
    with pytest.raises(InvokeError, match="no event file"):
        invoke("webhook_receiver", "events/none.json", state)
