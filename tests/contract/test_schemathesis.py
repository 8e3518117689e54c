"""The OpenAPI document is the contract: every request it allows is served (no 5xx, no
400), every request it forbids is refused, and every answer is one the document names,
in the shape it gives. Checked by schemathesis over every operation."""

import json

from tests.contract.schemathesis_run import DOCUMENT, long_run, run
from tests.fuzz.harness import FuzzStack


def test_the_api_keeps_every_promise_of_its_openapi_document(api_stack: FuzzStack) -> None:
    outcome = run(api_stack.http, long=long_run())
    print(outcome.summary())  # shown with -s; the figures of the run
    document = json.loads(DOCUMENT.read_text())
    documented = {f"{m.upper()} {p}" for p, ops in document["paths"].items() for m in ops}
    assert outcome.operations == documented
    assert not outcome.failures, outcome.report()
    assert not outcome.errors, outcome.report()
