"""What functions load at cold start: the read API neither pydantic nor idempotency,
the refresh and push tasks no HTTP library.

The read API validates no body and makes no idempotent call; its answers are
described by name (``described.answers``), resolved by the document's
generator, so that its cold start loads neither. The provider's client
imports httpx at its first call.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pydantic", "aws_lambda_powertools.utilities.idempotency")


def loaded_after(statement: str) -> set[str]:
    probe = f"{statement}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    answer = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'layers' / 'banksync'}:{ROOT}", "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(answer.stdout))


def test_the_read_routes_and_their_error_answers_load_neither() -> None:
    loaded = loaded_after("from banksync.api import accounts, errors")
    assert not {name for name in loaded if name.startswith(HEAVY)}


def test_the_operator_routes_still_answer_body_and_key_errors() -> None:
    loaded = loaded_after("from banksync.api import refreshes, write_errors")
    assert "pydantic" in loaded
    assert "aws_lambda_powertools.utilities.idempotency" in loaded


def test_the_refresh_and_push_tasks_load_httpx_only_to_call_the_provider() -> None:
    """The aborter never calls the provider, and a round the budget cut short makes
    no call: wiring the provider's client loads no HTTP library."""
    loaded = loaded_after(
        "from banksync.refresh import factory\nfrom banksync.push import fetcher\n"
        "from banksync.provider.settings import ProviderSettings as S\n"
        "from banksync.provider_registry import build_provider\n"
        "build_provider(S('https://okra.example', 'arn'))\n"
        "build_provider(S('https://mono.example', 'arn', name='mono'))"
    )
    assert {"banksync.okra.client", "banksync.mono.client"} <= loaded
    assert "httpx" not in loaded


def test_the_operator_routes_load_no_http_library() -> None:
    """Pausing a subscription stops its deliveries without the webhook sender's httpx."""
    loaded = loaded_after(
        "from banksync.api import deliveries, links, refreshes, subscriptions, sweeps"
    )
    assert "banksync.delivery.stops" in loaded
    assert "httpx" not in loaded
