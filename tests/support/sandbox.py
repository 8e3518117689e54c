"""The provider sandbox wired to a virtual clock, for tests that never wait."""

from banksync.okra.client import OkraClient
from banksync.provider.model import ProviderAccount
from devstack.sandbox import AccountSpec, Sandbox, World
from devstack.sandbox.world import SANDBOX_SECRET_KEY as SANDBOX_SECRET_KEY

SANDBOX_BASE_URL = "http://okra.sandbox.test/v2"


class VirtualClock:
    """Epoch seconds that move only when a test (or an accelerated Wait) moves them."""

    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)


def sandbox_client(sandbox: Sandbox, key: str | None = None) -> OkraClient:
    secret = key or sandbox.world.secret_key
    return OkraClient(SANDBOX_BASE_URL, lambda: secret, transport=sandbox.transport())


def new_sandbox(world: World, clock: VirtualClock) -> Sandbox:
    return Sandbox(world, clock=clock, sleep=clock.sleep)


def provider_account(spec: AccountSpec) -> ProviderAccount:
    """The sandbox account as the provider adapter describes it (for the registry)."""
    return ProviderAccount(
        spec.account_id,
        spec.customer_id,
        spec.bank_id,
        spec.bank_name,
        spec.nuban,
        spec.name,
        spec.currency,
    )
