"""`make provider-check`: with no keys it checks nothing and says so; with keys it runs
the adapter's contract checks against the target it is given."""

from typing import Any

import pytest

from devstack import provider_check
from tests.contract import provider_contract as contract


def test_without_a_key_nothing_is_checked_and_it_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MONO_SECRET_KEY", raising=False)
    assert provider_check.main(["mono"]) == 0
    assert "not run: MONO_SECRET_KEY is not set" in capsys.readouterr().out


def test_a_key_without_an_account_or_code_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MONO_SECRET_KEY", "test_sk_x")
    monkeypatch.delenv("MONO_ACCOUNT_ID", raising=False)
    monkeypatch.delenv("MONO_CODE", raising=False)
    assert provider_check.main(["mono"]) == 2
    assert "MONO_ACCOUNT_ID" in capsys.readouterr().out


def test_with_keys_every_check_runs_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []

    def check(name: str) -> Any:
        def record(*_: Any) -> contract.Finding:
            ran.append(name)
            return contract.Finding(name, {"account_id": "acct"})

        return record

    for name in ("exchange", "account", "balance", "transaction_pages", "bad_key"):
        monkeypatch.setattr(contract, name, check(name))
    settings = {"MONO_SECRET_KEY": "test_sk_x", "MONO_CODE": "code_1"}
    findings = provider_check.run_checks(settings, lambda _: None)
    assert ran == ["exchange", "account", "balance", "transaction_pages", "bad_key"]
    assert len(findings) == 5
