"""One stack for the contract tests: template.yaml in moto, the HTTP functions behind the
offline stack's HTTP layer, and every list holding more than one page."""

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from tests.contract.lists import seed_lists
from tests.fuzz.conftest import FUZZ_MOTO_CONFIG
from tests.fuzz.harness import FuzzStack


@pytest.fixture(scope="package")
def contract_stack() -> Iterator[FuzzStack]:
    with mock_aws(config=FUZZ_MOTO_CONFIG), pytest.MonkeyPatch.context() as monkeypatch:
        stack = FuzzStack.build(boto3.Session(region_name="us-east-1"), monkeypatch)
        seed_lists(stack)
        yield stack
