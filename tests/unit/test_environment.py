import pytest

from banksync.environment import ConfigurationError, env_int, env_str
from banksync.inbound.settings import ReceiverSettings


def test_missing_variable_is_named() -> None:
    with pytest.raises(ConfigurationError, match="EVENTS_TABLE_NAME"):
        ReceiverSettings.from_environ({"WEBHOOK_TOKEN_SECRET_ARN": "arn"})


def test_settings_are_typed_with_defaults() -> None:
    settings = ReceiverSettings.from_environ(
        {"EVENTS_TABLE_NAME": "events", "WEBHOOK_TOKEN_SECRET_ARN": "arn"}
    )
    assert settings.event_retention_days == 90
    assert settings.token_cache_seconds == 300


@pytest.mark.parametrize(("raw", "message"), [("ten", "integer"), ("0", "at least 1")])
def test_bad_integers_are_named(raw: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=f"RETENTION.*{message}"):
        env_int("RETENTION", 90, environ={"RETENTION": raw})


def test_blank_string_is_missing() -> None:
    with pytest.raises(ConfigurationError):
        env_str("NAME", {"NAME": "   "})
