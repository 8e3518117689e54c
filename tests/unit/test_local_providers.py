"""`make local`'s providers: each one's sandbox, or a real API named by the environment."""

from typing import Any

import pytest

from devstack.local import options
from devstack.providers import ProviderOptionError, mono_side, okra_side
from devstack.sandbox_mono import SANDBOX_SECRET_KEY

REAL_MONO = {"MONO_BASE_URL": "https://api.withmono.com", "MONO_SECRET_KEY": "test_sk_abc"}


def test_a_real_mono_api_and_its_keys_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {**REAL_MONO, "MONO_WEBHOOK_SECRET": "dashboard-secret"}.items():
        monkeypatch.setenv(name, value)
    servers: list[Any] = []
    side = mono_side(options([]), servers)
    assert (side.base_url, side.secret_key, side.webhook_secret) == (
        "https://api.withmono.com",
        "test_sk_abc",
        "dashboard-secret",
    )
    assert (side.sandbox, servers) == (None, [])


def test_a_real_okra_api_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKRA_BASE_URL", "https://api.okra.ng/v2")
    monkeypatch.setenv("OKRA_SECRET_KEY", "okra-key")
    side = okra_side(options([]), [])
    assert (side.base_url, side.secret_key, side.sandbox) == (
        "https://api.okra.ng/v2",
        "okra-key",
        None,
    )


@pytest.mark.parametrize(
    ("argv", "side", "needs"),
    [
        (["--mono-base-url", "https://api.withmono.com"], mono_side, "MONO_SECRET_KEY"),
        (["--okra-base-url", "https://api.okra.ng/v2"], okra_side, "OKRA_SECRET_KEY"),
    ],
)
def test_a_real_api_without_its_key_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], side: Any, needs: str
) -> None:
    monkeypatch.delenv(needs, raising=False)
    with pytest.raises(ProviderOptionError, match=needs):
        side(options(argv), [])


def test_without_a_real_api_monos_sandbox_serves_with_its_own_key_and_a_made_up_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (*REAL_MONO, "MONO_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    servers: list[Any] = []
    side = mono_side(options(["--ready-after", "3"]), servers)
    try:
        assert side.sandbox is not None
        assert side.base_url.startswith("http://127.0.0.1:")
        assert side.secret_key == SANDBOX_SECRET_KEY
        assert len(side.webhook_secret) >= 32
        assert side.sandbox.world.realtime_delay == 3
    finally:
        for server in servers:
            server.stop()
