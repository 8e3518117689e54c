"""Which providers banksync speaks to, and which of them a stack has switched on."""

from collections.abc import Mapping
from typing import Any, Literal, TypeGuard

ProviderName = Literal["okra", "mono"]
PROVIDER_NAMES: tuple[ProviderName, ...] = ("okra", "mono")
# Every record stored before a second provider existed came from this one.
DEFAULT_PROVIDER: ProviderName = "okra"


class ProviderOffError(LookupError):
    """The provider is known but this stack has not switched it on."""

    def __init__(self, name: str) -> None:
        super().__init__(f"provider {name} is not switched on in this stack")
        self.name = name


def is_provider_name(value: object) -> TypeGuard[ProviderName]:
    return value in PROVIDER_NAMES


def provider_of(stored: Mapping[str, Any]) -> ProviderName:
    """The provider a stored item came from (an item from before providers were
    named came from the default one)."""
    value = stored.get("provider")
    return value if is_provider_name(value) else DEFAULT_PROVIDER


def named(provider: ProviderName) -> dict[str, str]:
    """The ``provider`` attribute of a stored item: absent for the default provider,
    as on every item stored before a second one."""
    return {} if provider == DEFAULT_PROVIDER else {"provider": provider}
