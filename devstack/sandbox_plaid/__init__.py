"""A faithful, deterministic stand-in for Plaid's API as the official ``plaid-python``
client meets it: Link tokens, Items, accounts and balances, ``/transactions/sync``,
signed webhooks, its own extraction, re-authorisation, rate limits and faults."""

from devstack.sandbox_plaid.app import PlaidSandbox
from devstack.sandbox_plaid.server import PlaidSandboxServer
from devstack.sandbox_plaid.world import (
    SANDBOX_CLIENT_ID,
    SANDBOX_SECRET,
    PlaidAccountSpec,
    PlaidWorld,
)

__all__ = [
    "SANDBOX_CLIENT_ID",
    "SANDBOX_SECRET",
    "PlaidAccountSpec",
    "PlaidSandbox",
    "PlaidSandboxServer",
    "PlaidWorld",
]
