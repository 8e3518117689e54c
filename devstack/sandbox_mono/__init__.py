"""A faithful, deterministic stand-in for Mono's v2 bank-data API: linking, data,
real-time jobs, webhooks, re-authorisation, limits and faults."""

from devstack.sandbox_mono.app import MonoSandbox
from devstack.sandbox_mono.bank import MonoAccountSpec
from devstack.sandbox_mono.world import SANDBOX_SECRET_KEY, MonoWorld, demo_mono_world

__all__ = ["SANDBOX_SECRET_KEY", "MonoAccountSpec", "MonoSandbox", "MonoWorld", "demo_mono_world"]
