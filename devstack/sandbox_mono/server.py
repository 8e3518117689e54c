"""Serving the Mono sandbox on loopback, in a background thread."""

from devstack.loopback import LoopbackServer
from devstack.sandbox_mono.app import MonoSandbox


class MonoSandboxServer(LoopbackServer):
    def __init__(self, sandbox: MonoSandbox, port: int = 0) -> None:
        super().__init__(sandbox.app, port)
        self.sandbox = sandbox

    @property
    def base_url(self) -> str:
        """Mono's base URL (paths start with ``/v2``), here."""
        return self.url

    def start(self) -> "MonoSandboxServer":
        super().start()
        self.sandbox.base_url = self.base_url  # paging links point where it is served
        return self
