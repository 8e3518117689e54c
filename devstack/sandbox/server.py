"""Serving the sandbox on loopback, in a background thread."""

from devstack.loopback import LoopbackServer
from devstack.sandbox.app import Sandbox


class SandboxServer(LoopbackServer):
    def __init__(self, sandbox: Sandbox, port: int = 0) -> None:
        super().__init__(sandbox.app, port)
        self.sandbox = sandbox

    @property
    def base_url(self) -> str:
        return f"{self.url}/v2"

    def start(self) -> "SandboxServer":
        super().start()
        self.sandbox.base_url = self.base_url  # callbacks point where the sandbox is served
        return self
