"""Reading a function's settings from its environment, once, at cold start.

A missing or malformed variable fails the cold start with a message naming
the variable, instead of failing later inside a request.
"""

import os
from collections.abc import Mapping


class ConfigurationError(RuntimeError):
    """The function's environment lacks a setting it needs."""


def env_str(name: str, environ: Mapping[str, str] | None = None) -> str:
    value = (os.environ if environ is None else environ).get(name, "").strip()
    if not value:
        raise ConfigurationError(f"environment variable {name} is required")
    return value


def env_int(
    name: str, default: int, minimum: int = 1, environ: Mapping[str, str] | None = None
) -> int:
    raw = (os.environ if environ is None else environ).get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"environment variable {name} must be an integer") from None
    if value < minimum:
        raise ConfigurationError(f"environment variable {name} must be at least {minimum}")
    return value


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    raw = (os.environ if environ is None else environ).get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("true", "false"):
        raise ConfigurationError(f"environment variable {name} must be true or false")
    return raw == "true"
