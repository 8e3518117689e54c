"""``make local --parameter Name=Value``: template parameter overrides, checked as
CloudFormation checks them (a known name, the type, AllowedValues, MinValue and
MaxValue), so a typo fails at start-up instead of being silently ignored."""

from collections.abc import Iterable, Mapping
from typing import Any


class ParameterError(ValueError):
    pass


def parse_overrides(pairs: Iterable[str], declared: Mapping[str, Any]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"--parameter {pair!r}: expected Name=Value")
        if name not in declared:
            known = ", ".join(sorted(declared))
            raise ParameterError(
                f"--parameter {name}: the template has no such parameter ({known})"
            )
        _check(name, value, declared[name])
        overrides[name] = value
    return overrides


def _check(name: str, value: str, spec: Mapping[str, Any]) -> None:
    allowed = spec.get("AllowedValues")
    if allowed is not None and value not in [str(v) for v in allowed]:
        raise ParameterError(f"--parameter {name}: must be one of {', '.join(map(str, allowed))}")
    if spec.get("Type") == "Number":
        try:
            number = float(value)
        except ValueError:
            raise ParameterError(f"--parameter {name}: must be a number") from None
        low, high = spec.get("MinValue"), spec.get("MaxValue")
        if low is not None and number < float(low):
            raise ParameterError(f"--parameter {name}: must be at least {low}")
        if high is not None and number > float(high):
            raise ParameterError(f"--parameter {name}: must be at most {high}")
