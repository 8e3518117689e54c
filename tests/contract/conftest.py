"""One stack for the contract tests: template.yaml in moto, the HTTP functions behind the
offline stack's HTTP layer, and every list holding more than one page."""

import ipaddress
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from tests.contract.lists import seed_lists
from tests.fuzz.conftest import FUZZ_MOTO_CONFIG
from tests.fuzz.harness import FuzzStack


def public_dns(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        return ["93.184.215.14"]


@pytest.fixture(scope="module")
def api_stack() -> Iterator[FuzzStack]:
    """A stack of the module's own: what one module's requests store, another never sees."""
    with mock_aws(config=FUZZ_MOTO_CONFIG), pytest.MonkeyPatch.context() as monkeypatch:
        stack = FuzzStack.build(boto3.Session(region_name="us-east-1"), monkeypatch)
        # As DNS answers for a host that exists: an address is itself, a name is public.
        monkeypatch.setattr("banksync.subscriptions.webhook_urls.resolve_host", public_dns)
        seed_lists(stack)
        yield stack
