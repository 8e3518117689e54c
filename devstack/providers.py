"""The providers the offline stack syncs: each one's sandbox on loopback, or the real
API at a base URL with its keys (``make local`` with ``OKRA_BASE_URL`` and
``OKRA_SECRET_KEY``, or ``MONO_BASE_URL`` and ``MONO_SECRET_KEY``)."""

import argparse
import os
import secrets
from dataclasses import dataclass
from typing import Any

from devstack.sandbox import Sandbox, demo_world
from devstack.sandbox.server import SandboxServer
from devstack.sandbox_mono import MonoSandbox, demo_mono_world
from devstack.sandbox_mono.server import MonoSandboxServer


class ProviderOptionError(ValueError):
    pass


def add_options(parser: argparse.ArgumentParser) -> None:
    """Each provider's base URL and keys; from the environment when not given."""
    env = os.environ.get
    parser.add_argument(
        "--okra-base-url",
        default=env("OKRA_BASE_URL"),
        help="a real Okra API instead of its sandbox (or OKRA_BASE_URL)",
    )
    parser.add_argument(
        "--okra-secret-key",
        default=env("OKRA_SECRET_KEY"),
        help="the real Okra API's secret key (or OKRA_SECRET_KEY)",
    )
    parser.add_argument(
        "--mono-base-url",
        default=env("MONO_BASE_URL"),
        help="a real Mono API instead of its sandbox, e.g. https://api.withmono.com "
        "(or MONO_BASE_URL)",
    )
    parser.add_argument(
        "--mono-secret-key",
        default=env("MONO_SECRET_KEY"),
        help="the real Mono API's secret key, test_sk_… or live_sk_… (or MONO_SECRET_KEY)",
    )
    parser.add_argument(
        "--mono-webhook-secret",
        default=env("MONO_WEBHOOK_SECRET"),
        help="the webhook secret Mono's dashboard shows for this stack's /webhooks/mono "
        "(or MONO_WEBHOOK_SECRET; generated when not given)",
    )


@dataclass
class OkraSide:
    base_url: str
    secret_key: str
    sandbox: Sandbox | None = None


@dataclass
class MonoSide:
    base_url: str
    secret_key: str
    webhook_secret: str
    sandbox: MonoSandbox | None = None


def okra_side(args: argparse.Namespace, servers: list[Any]) -> OkraSide:
    """Okra's sandbox on loopback, or the real API ``--okra-base-url`` names."""
    if args.okra_base_url:
        if not args.okra_secret_key:
            raise ProviderOptionError(
                "--okra-base-url needs --okra-secret-key (or OKRA_SECRET_KEY)"
            )
        return OkraSide(args.okra_base_url, args.okra_secret_key)
    world = demo_world(ready_after=args.ready_after)
    world.auto_refresh_seconds = args.provider_refresh_every or None
    sandbox = Sandbox(world)
    server = SandboxServer(sandbox, port=args.sandbox_port).start()
    servers.append(server)
    return OkraSide(server.base_url, sandbox.world.secret_key, sandbox)


def mono_side(args: argparse.Namespace, servers: list[Any]) -> MonoSide:
    """Mono's sandbox on loopback, or the real API ``--mono-base-url`` names. The
    webhook secret is the dashboard's for a real API, else one made up for the sandbox."""
    webhook_secret = args.mono_webhook_secret or secrets.token_urlsafe(32)
    if args.mono_base_url:
        if not args.mono_secret_key:
            raise ProviderOptionError(
                "--mono-base-url needs --mono-secret-key (or MONO_SECRET_KEY)"
            )
        return MonoSide(args.mono_base_url, args.mono_secret_key, webhook_secret)
    # A real-time job finishes as late as an Okra refresh is ready, so both sides of
    # the demo arrive together.
    sandbox = MonoSandbox(demo_mono_world(realtime_delay=args.ready_after))
    server = MonoSandboxServer(sandbox, port=args.mono_sandbox_port).start()
    servers.append(server)
    return MonoSide(server.base_url, sandbox.world.secret_keys[0], webhook_secret, sandbox)
