"""schemathesis, in-process, against the OpenAPI document and the offline stack's HTTP layer.

The run is what ``st run openapi/banksync.json --phases examples,coverage,fuzzing
-c <CHECKS>`` does against ``make local``, bounded and repeatable in ``make test``
(a fixed seed, few examples) and long in ``make fuzz``.
"""

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.openapi.checks import RejectedPositiveData

DOCUMENT = Path("openapi/banksync.json")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
)
SEED = 7
# What no JSON Schema keyword can say, so the document says it in words (in the
# field's description): a 400 naming one of these fields, for this reason, is no
# refusal of data the document allows. Each has a test of its own.
RULES_IN_WORDS = {
    # Only a token this very list gave (tests/contract/test_list_tokens.py).
    ("next_token", "invalid_request", "is not one this API gave"),
    # Only a cursor this very feed gave, still fresh (tests/integration/test_change_feed.py).
    ("cursor", "invalid_cursor", ""),
    ("cursor", "stale_cursor", ""),
    # A window that ends before it starts (tests/integration/test_read_api.py,
    # test_delivery_operations.py).
    ("to", "invalid_request", "must not be before from"),
    ("until", "invalid_request", "must be later than since"),
    # An Idempotency-Key that came with another body before (the 422 says so).
    ("idempotency-key", "idempotency_key_reused", ""),
    # Where the host of a webhook_url points, which DNS says, not the request.
    ("webhook_url", "invalid_request", "resolves to a non-public address"),
    ("webhook_url", "invalid_request", "host "),  # ... does not resolve
    # Whether Mono knows a widget code or an account id, which Mono says, not the
    # request (tests/integration/test_mono_linking_api.py).
    ("account_id", "provider_refused", "Mono refused"),
    ("code", "provider_refused", "Mono refused"),
}


@dataclass
class Outcome:
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    failures: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str, str], str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    waived: int = 0

    def summary(self) -> str:
        return (
            f"schemathesis: {len(self.operations)} operations, {self.cases} cases, "
            f"{sum(self.failures.values())} failures, {self.waived} refusals by rules in words"
        )

    def report(self) -> str:
        lines = [
            f"{count} x {key}\n    {self.examples[key]}" for key, count in self.failures.items()
        ]
        return "\n".join([*lines, *self.errors])


def settings(long: bool) -> SchemathesisConfig:
    """The bounded run repeats exactly (a fixed seed, no example database or cache)."""
    return SchemathesisConfig.from_dict(
        {
            **({} if long else {"seed": SEED}),
            "workers": 1,
            "cache": {"enabled": False},
            # Routes the offline stack serves on loopback are unsigned: no Authorization.
            "generation": {
                "max-examples": 200 if long else 12,
                "database": "none",
                "with-security-parameters": False,
            },
            "phases": {"stateful": {"enabled": False}},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )


def run(app: Any, long: bool = False) -> Outcome:
    schema = schemathesis.openapi.from_path(DOCUMENT, config=settings(long))
    schema.app = app
    outcome = Outcome()

    @schema.hook
    def filter_failure(_: Any, failure: Any, case: Any, response: Any) -> bool:
        if isinstance(failure, RejectedPositiveData) and _a_rule_in_words(response):
            outcome.waived += 1
            return False
        return True

    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _record(outcome, event.recorder)
        elif isinstance(event, events.NonFatalError):
            outcome.errors.append(f"{event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    return outcome


def long_run() -> bool:
    return os.environ.get("FUZZ_PROFILE") == "fuzz-long"


def _record(outcome: Outcome, recorder: Any) -> None:
    outcome.operations.add(recorder.label)
    outcome.cases += len(recorder.cases)
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.failure_info is None:
                continue
            failure = check.failure_info.failure
            key = (recorder.label, check.name, failure.title)
            outcome.failures[key] += 1
            case = recorder.cases[case_id].value
            response = recorder.find_response(case_id=case_id)
            outcome.examples.setdefault(
                key,
                f"path={case.path_parameters} query={case.query} headers={case.headers} "
                f"body={case.body!r} -> {response.status_code if response else None} "
                f"{(response.content[:300] if response else b'')!r}: {failure.message[:300]}",
            )


def _a_rule_in_words(response: Any) -> bool:
    if response.status_code not in (400, 422):
        return False
    try:
        error = json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return False
    fields = error.get("fields") or {}
    if len(fields) != 1:
        return False
    ((name, why),) = fields.items()
    return any(
        (name, error.get("code")) == (field, code) and str(why).startswith(reason)
        for field, code, reason in RULES_IN_WORDS
    )
