"""The phases of `make bench-live`, each driven and read back from outside the stack.

A phase asks the stack for work as a user would (``POST /refreshes``,
``POST /sweeps``) or has the provider push (its own refresh of every account,
with rows taken back moments after they were announced), waits until the API
says the work is done, then reads back what the API lists and compares it with
what the provider holds.
"""

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from bench.live_figures import Item, Phase, listed_rows, minor_units, provider_rows, reappeared
from bench.live_stack import Api, Provider, history_events, seconds, webhook_health

TERMINAL = {"succeeded", "failed", "reauth_required", "timed_out"}
POLL_SECONDS = 5.0


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _clock(moment: str | None) -> str:
    """hh:mm:ss UTC of an ISO-8601 time, for the notes."""
    return moment[11:19] if moment else "never"


class Phases:
    def __init__(
        self, provider: Provider, api: Api, state: dict[str, Any], settings: dict[str, Any]
    ) -> None:
        self.provider, self.sandbox, self.api, self.state = provider, provider.sandbox, api, state
        self.readiness = float(settings["ready_after"])
        self.budget = int(settings["budget"])
        self.timeout = float(settings["phase_timeout"])
        self.fetched: dict[tuple[str, str], int] = {}  # the newest snapshot banksync fetched
        self.notes: list[str] = []

    # -- the phases ---------------------------------------------------------------------

    def on_demand_burst(self) -> Phase:
        """Every customer's accounts refreshed on demand, all at once (POST /refreshes)."""
        self._scenario(webhook="sent")
        phase = self._phase("on-demand burst")
        customers = sorted({a.customer_id for a in self.sandbox.world.accounts})

        def start(customer: str) -> tuple[str, float, str]:
            posted = time.time()
            answer = self.api.post("/refreshes", {"customer": customer})
            return customer, posted, str(answer["refresh_id"])

        with ThreadPoolExecutor(max_workers=len(customers)) as pool:
            started = list(pool.map(start, customers))
        ids = {refresh_id for _, _, refresh_id in started}

        def done() -> bool:
            runs = self.api.refreshes("on_demand", iso(phase.began - 1))
            finished = {r["refresh_id"] for r in runs if r["status"] != "running"}
            return ids <= finished

        self._wait(phase, done)
        items = self._run_items(sorted(ids))
        phase.first_calls = []
        for customer, posted, _ in started:
            lookups = [
                c.at
                for c in self.sandbox.calls
                if c.customer_id == customer and c.status != 429 and c.at >= posted
            ]
            if lookups:
                phase.first_calls.append(min(lookups) - posted)
        return self._close(phase, items)

    def sweep(self, name: str, webhook: str) -> Phase:
        """POST /sweeps {"stale_after_hours": 0}: every account, with the webhooks ``webhook``."""
        self._scenario(webhook=webhook)
        phase = self._phase(name)
        sweep_id = self.api.post("/sweeps", {"stale_after_hours": 0})["sweep_id"]

        self._wait(phase, lambda: self.api.get(f"/sweeps/{sweep_id}")["status"] == "completed")
        runs = [
            run["refresh_id"]
            for run in self.api.refreshes("sweep", iso(phase.began - 1))
            if (run.get("request") or {}).get("sweep_id") in (None, sweep_id)
        ]
        return self._close(phase, self._run_items(runs))

    def provider_push(self) -> Phase:
        """The provider's own refresh of every account, pushed by webhook; at each, the bank
        takes back its oldest posted row, and 0.2 s after the announcement one of the rows
        just announced, while the fetches wait for the budget."""
        self._scenario(webhook="sent", deleted_per_refresh=1, deleted_announced_per_refresh=1)
        phase = self._phase("provider push + deletions")
        self.sandbox.refresh_everything()
        wanted = 2 * len(self.sandbox.world.accounts)

        def pushed() -> list[dict[str, Any]]:
            found = self.api.refreshes("pushed", iso(phase.began - 1))
            return [u for u in found if u.get("product")]

        self._wait(
            phase,
            lambda: (
                not self.sandbox.outbox.waiting
                and sum(1 for u in pushed() if u["status"] in TERMINAL) >= wanted
            ),
        )
        updates = pushed()
        closed = self._close(phase, updates)
        taken = {a: set(rows) for a, rows in self.sandbox.removed.items()}
        closed.reappeared = sum(
            reappeared(
                rows, {t["transaction_id"] for t in self.api.transactions(a)}, self.api.feed(a)
            )
            for a, rows in taken.items()
        )
        self._note_races(phase, updates)
        return closed

    # -- what every phase does ----------------------------------------------------------

    def _phase(self, name: str) -> Phase:
        self._note_health(name, "at its start")
        return Phase(name, time.time(), self.readiness, self.budget)

    def _note_health(self, name: str, when: str) -> None:
        hit, miss = webhook_health(self.state)
        trusted = bool(hit) and (not miss or str(miss) < str(hit))
        self.notes.append(
            f"{name}: {when}, the stack {'trusts' if trusted else 'does not trust'} the "
            f"provider's webhooks (last hit {_clock(hit)}, last miss {_clock(miss)})"
        )

    def _scenario(self, **changes: Any) -> None:
        world = self.sandbox.world
        world.accounts = [
            dataclasses.replace(a, scenario=dataclasses.replace(a.scenario, **changes))
            for a in world.accounts
        ]

    def _run_items(self, refresh_ids: list[str]) -> list[dict[str, Any]]:
        views = [self.api.get(f"/refreshes/{refresh_id}") for refresh_id in refresh_ids]
        return [item for view in views for item in view["items"]]

    def _wait(self, phase: Phase, done: Callable[[], bool]) -> None:
        deadline = phase.began + self.timeout
        while not done():
            if time.time() > deadline:
                self.notes.append(f"{phase.name}: not done after {self.timeout:.0f} s")
                return
            time.sleep(POLL_SECONDS)

    def _close(self, phase: Phase, raw: list[dict[str, Any]]) -> Phase:
        ended = time.time()
        ready: dict[str, float] = {}
        for item in raw:
            record = self.sandbox.record(str(item.get("record_id") or ""))
            if record is None:
                continue
            ready[record.record_id] = record.ready_at
            if item["status"] == "succeeded":
                key = (str(item["account_id"]), str(item["product"]))
                self.fetched[key] = max(self.fetched.get(key, 0), record.snapshot)
        right = self._right_data({(str(i["account_id"]), str(i["product"])) for i in raw})
        phase.items = [
            Item(
                account_id=str(i["account_id"]),
                product=str(i["product"]),
                status=str(i["status"]),
                ready_at=ready.get(str(i.get("record_id") or "")),
                stored_at=seconds(i.get("finished_at")),
                right_data=right.get((str(i["account_id"]), str(i["product"])), False),
            )
            for i in raw
        ]
        phase.calls = [(c.at, c.status) for c in self.sandbox.calls if phase.began <= c.at <= ended]
        phase.history_events = history_events(self.state, phase.began - 1, ended)
        self._note_health(phase.name, "at its end")
        slowest = max(
            (i for i in phase.items if i.ready_at is not None and i.stored_at is not None),
            key=lambda i: (i.stored_at or 0) - (i.ready_at or 0),
            default=None,
        )
        if slowest is not None and slowest.ready_at is not None:
            self.notes.append(
                f"{phase.name}: slowest {slowest.account_id}/{slowest.product}, ready "
                f"{_clock(iso(slowest.ready_at))}, stored {_clock(iso(slowest.stored_at or 0))}"
            )
        failed = [f"{i['status']}: {i.get('reason')}" for i in raw if i["status"] != "succeeded"]
        if failed:
            self.notes.append(f"{phase.name}: not succeeded: {sorted(set(failed))}")
        return phase

    def _right_data(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], bool]:
        """Whether what the API lists for each (account, product) is what the provider
        holds in the newest record banksync fetched, less every row taken back since."""
        right: dict[tuple[str, str], bool] = {}
        for account_id, product in keys:
            account = self.sandbox.world.account(account_id)
            snapshot = self.fetched.get((account_id, product))
            if account is None or snapshot is None:
                right[(account_id, product)] = False
            elif product == "balance":
                raw = account.balance(snapshot)
                shown = self.api.latest_balance(account_id) or {}
                right[(account_id, product)] = (shown.get("ledger"), shown.get("available")) == (
                    minor_units(raw["ledger_balance"]),
                    minor_units(raw["available_balance"]),
                )
            else:
                removed = frozenset(self.sandbox.removed.get(account_id, ()))
                expected = provider_rows(account.transactions(snapshot, removed))
                listed = listed_rows(self.api.transactions(account_id))
                right[(account_id, product)] = expected == listed
        return right

    def _listed_ids(self, account_id: str) -> set[str]:
        return {str(row["transaction_id"]) for row in self.api.transactions(account_id)}

    def _note_races(self, phase: Phase, updates: list[dict[str, Any]]) -> None:
        """How many removals reached the stack before the fetch of their record was stored."""
        stored = {
            str(u["record_id"]): seconds(u.get("finished_at"))
            for u in updates
            if u.get("product") == "transactions"
        }
        deletions = [
            sent
            for sent in self.sandbox.outbox.sent
            if sent.at >= phase.began and sent.payload["callback_code"] == "TRANSACTIONS_DELETED"
        ]
        raced = sum(
            1
            for sent in deletions
            if (stored.get(str(sent.payload["record"])) or float("inf")) > sent.at
        )
        rows = sum(len(sent.payload["removed_transactions"]) for sent in deletions)
        self.notes.append(
            f"{phase.name}: {rows} rows taken back in {len(deletions)} TRANSACTIONS_DELETED "
            f"webhooks; {raced} of them reached the stack before the fetch of their record "
            "was stored"
        )
