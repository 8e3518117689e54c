"""Serving the Plaid sandbox on loopback, in a background thread."""

from devstack.loopback import LoopbackServer
from devstack.sandbox_plaid.app import PlaidSandbox


class PlaidSandboxServer(LoopbackServer):
    def __init__(self, sandbox: PlaidSandbox, port: int = 0) -> None:
        super().__init__(sandbox.app, port)
        self.sandbox = sandbox

    @property
    def host(self) -> str:
        """Where ``plaid.Configuration(host=...)`` points: Plaid's paths start at the root."""
        return self.url

    def start(self) -> "PlaidSandboxServer":
        super().start()
        return self
