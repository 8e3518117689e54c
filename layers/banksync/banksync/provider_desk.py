"""Each switched-on provider's client and budget, for the functions that call several.

A refresh run, a pushed update or a sweep page belongs to one provider; the
function serving it asks the desk for that provider's client and budget. Both
are built when first asked for, so a function that meets one provider builds
one client.
"""

from typing import Any

from banksync.budget.limiter import ProviderBudget
from banksync.provider.port import Provider
from banksync.provider.settings import ProvidersSettings
from banksync.provider_registry import build_provider


class ProviderDesk:
    def __init__(self, settings: ProvidersSettings, table_name: str, client: Any) -> None:
        self.settings, self._table, self._client = settings, table_name, client
        self._providers: dict[str, Provider] = {}
        self._budgets: dict[str, ProviderBudget] = {}

    def provider(self, name: str) -> Provider:
        """The client of provider ``name`` (ProviderOffError if it is not switched on)."""
        if name not in self._providers:
            self._providers[name] = build_provider(self.settings.named(name))
        return self._providers[name]

    def budget(self, name: str) -> ProviderBudget:
        """The stack's budget of calls to provider ``name``."""
        if name not in self._budgets:
            rate = self.settings.named(name).rate_per_minute
            self._budgets[name] = ProviderBudget(self._table, rate, self._client, provider=name)
        return self._budgets[name]
