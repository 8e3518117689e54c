"""The provider port: what banksync's flows need from an open-banking provider, in
banksync's own words. Each provider is one adapter folder that translates its API
to this port (``banksync.okra``); only the registry (``banksync.provider_registry``)
knows which adapters exist."""
