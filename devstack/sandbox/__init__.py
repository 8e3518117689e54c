"""A faithful, deterministic stand-in for Okra's API: refreshes, callbacks, faults."""

from devstack.sandbox.app import Sandbox
from devstack.sandbox.world import AccountSpec, Scenario, World, demo_world

__all__ = ["AccountSpec", "Sandbox", "Scenario", "World", "demo_world"]
