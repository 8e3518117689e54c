"""The Mono sandbox: Mono's v2 bank-data API (WSGI), its webhooks, and its clock.

Usable in-process (``MonoSandbox.transport()`` is an httpx transport) and on
loopback (``devstack.sandbox_mono.server``). Time is an injected clock: a job
finishes, a code expires and a webhook falls due when the clock says so, and
``tick()`` sends what is due; nothing waits in real time. The helpers below do
what a customer or the bank would: link an account in the widget, finish a
hosted link, need re-authorisation, post transactions.
"""

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from flask import Flask

from devstack.sandbox_mono import gate, linking, reads
from devstack.sandbox_mono.bank import AccountState, MonoAccountSpec, object_id
from devstack.sandbox_mono.events import EventFactory
from devstack.sandbox_mono.faults import Faults
from devstack.sandbox_mono.jobs import Job, JobBook
from devstack.sandbox_mono.webhooks import DUPLICATE_GAP_SECONDS, MonoOutbox
from devstack.sandbox_mono.world import MonoWorld

DEFAULT_BASE_URL = "https://api.withmono.com"
LINK_HOST = "https://link.mono.co"


@dataclass
class Code:
    account_id: str
    expires_at: float
    used: bool = False


@dataclass
class HostedLink:
    scope: str  # "auth" or "reauth"
    customer: dict[str, str]
    ref: str | None
    account_id: str | None = None
    completed: bool = False


class MonoSandbox:
    def __init__(
        self,
        world: MonoWorld | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        base_url: str = DEFAULT_BASE_URL,
    ) -> None:
        self.world = world or MonoWorld()
        self.clock = clock
        self.sleep = sleep
        self.base_url = base_url  # where ``meta.next`` links point
        self.faults = Faults()
        self.outbox = MonoOutbox(clock, self.world.retry_delays)
        self.events = EventFactory(self.world.app_id, self.world.business_id)
        self.jobs = JobBook(self.world.realtime_window)
        self.accounts: dict[str, AccountState] = {}
        self.codes: dict[str, Code] = {}
        self.links: dict[str, HostedLink] = {}
        self.lock = threading.RLock()
        now = clock()
        for spec in self.world.accounts:
            state = AccountState(spec, now)
            state.sync(now)
            self.accounts[spec.account_id] = state
        period = self.world.auto_sync_seconds
        self._next_auto_sync = now + period if period else None
        self.app = self._build_app()
        self.calls = gate.install(self.app, self)

    def transport(self) -> httpx.WSGITransport:
        return httpx.WSGITransport(app=self.app)

    # What customers and banks do.
    def link_account(self, spec: MonoAccountSpec, ref: str | None = None) -> str:
        """The customer links ``spec`` in the widget: Mono sends ``account_connected``,
        fetches the data a moment later, and the widget hands back a code (returned)."""
        with self.lock:
            self._connect(spec, ref)
            return self.mint_code(spec.account_id)

    def mint_code(self, account_id: str) -> str:
        """A widget code for a linked account: single use, expires after ``code_ttl``."""
        with self.lock:
            if account_id not in self.accounts:
                raise KeyError(f"no linked account {account_id}")
            code = "code_" + object_id(account_id, "code", str(len(self.codes)))
            self.codes[code] = Code(account_id, self.clock() + self.world.code_ttl)
            return code

    def complete_link(self, mono_url: str, spec: MonoAccountSpec | None = None) -> str:
        """The customer finishes a hosted link; returns the account id. For ``auth``,
        ``spec`` is the account they link (a fresh one for the link's customer when
        absent); for ``reauth``, the account is the link's own."""
        with self.lock:
            link = self.links.get(mono_url.rsplit("/", 1)[-1])
            if link is None or link.completed:
                raise KeyError(f"no open link {mono_url}")
            link.completed = True
            if link.account_id is not None:  # a re-authorisation link
                self._reauthorise(self.accounts[link.account_id])
                return link.account_id
            customer = link.customer
            seed = f"{customer['id']}/{len(self.accounts)}"
            spec = spec or MonoAccountSpec(
                object_id("linked", seed),
                customer["id"],
                customer_name=customer["name"],
                customer_email=customer["email"],
            )
            self._connect(spec, link.ref)
            return spec.account_id

    def require_reauth(self, account_id: str) -> None:
        """The bank now wants the customer to re-authorise (MFA): real-time jobs fail."""
        with self.lock:
            self.accounts[account_id].reauth_required = True

    def post_transactions(self, account_id: str, count: int = 1) -> None:
        """The bank posts ``count`` new transactions now (Mono sees them at its next sync)."""
        with self.lock:
            state = self.accounts[account_id]
            state.bank_catches_up(self.clock())
            state.post(count, self.clock())

    # Time.
    def tick(self) -> int:
        """Do what is due by now (jobs, fetches, Mono's own syncs), then send due webhooks;
        returns how many webhooks were answered 2xx."""
        self.settle()
        return self.outbox.deliver_due()

    def next_event_at(self) -> float | None:
        """When the sandbox next does something of its own."""
        with self.lock:
            fetches = [a.data_due_at for a in self.accounts.values() if a.data_due_at]
            times = [*fetches, self.jobs.next_due(), self._next_auto_sync, self.outbox.next_due()]
        return min((t for t in times if t is not None), default=None)

    def settle(self) -> None:
        """Bring the sandbox's state up to its clock (every request does this first)."""
        with self.lock:
            now = self.clock()
            for state in self.accounts.values():
                state.bank_catches_up(now)
                if state.data_due_at is not None and state.data_due_at <= now:
                    at, state.data_due_at = state.data_due_at, None
                    state.sync(at)
                    self._send(self.events.account_updated(state, at), at)
            for job in self.jobs.due(now):
                self.finish(job, job.ready_at)
            period = self.world.auto_sync_seconds
            while period and self._next_auto_sync is not None and self._next_auto_sync <= now:
                self._auto_sync(self._next_auto_sync)
                self._next_auto_sync += period

    # Real-time jobs.
    def realtime(self, state: AccountState, product: str) -> Job:
        """The job a real-time call joins: the account's job in the window, or a new one."""
        with self.lock:
            now = self.clock()
            job = self.jobs.in_window(state.account_id, now)
            if job is not None:
                return job
            delay = 0.0 if state.reauth_required else self.world.realtime_delay
            job = self.jobs.start(state.account_id, product, now, delay)
            if delay == 0:
                self.finish(job, now)
            return job

    def finish(self, job: Job, at: float) -> None:
        state = self.accounts[job.account_id]
        if state.reauth_required:
            job.status = "failed"
            sync_status = "REAUTHORISATION_REQUIRED"
        else:
            job.status, job.has_new_data = "finished", state.sync(at)
            sync_status = "SUCCESSFUL"
        self._send(self.events.jobs_update(job.job_id, job.account_id, job.name, job.status), at)
        updated = self.events.account_updated(
            state, at, sync_status, job.job_id, has_new_data=job.has_new_data
        )
        self._send(updated, at)

    def _auto_sync(self, at: float) -> None:
        for state in self.accounts.values():
            if state.reauth_required or state.data_due_at is not None:
                continue
            if state.sync(at):
                self._send(self.events.account_updated(state, at, "SUCCESSFUL", None, True), at)

    def _connect(self, spec: MonoAccountSpec, ref: str | None) -> None:
        now = self.clock()
        state = AccountState(spec, now, ref=ref)
        state.data_due_at = now + self.world.link_data_delay
        self.accounts[spec.account_id] = state
        self._send(self.events.account_connected(state, now), now)

    def _reauthorise(self, state: AccountState) -> None:
        now = self.clock()
        state.reauth_required = False
        state.data_due_at = now + self.world.link_data_delay
        self._send(self.events.account_reauthorized(state, now), now)

    def _send(self, payload: dict[str, Any], at: float) -> None:
        event = str(payload["event"])
        if self.faults.drops(event):
            self.outbox.drop(payload)
            return
        self.outbox.queue(payload, at)
        if self.faults.duplicates(event):
            self.outbox.queue(payload, at + DUPLICATE_GAP_SECONDS)

    def open_link(
        self, scope: str, customer: dict[str, str], ref: str | None, account_id: str | None
    ) -> str:
        """A hosted link's ``mono_url`` (``POST /v2/accounts/initiate``)."""
        with self.lock:
            token = hashlib.sha256(f"link/{len(self.links)}/{self.clock()}".encode()).hexdigest()
            token = token[:14].upper()
            self.links[token] = HostedLink(scope, customer, ref, account_id)
            return f"{LINK_HOST}/{token}"

    def _build_app(self) -> Flask:
        app = Flask("mono-sandbox")
        linking.register(app, self)
        reads.register(app, self)
        return app
