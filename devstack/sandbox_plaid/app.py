"""The Plaid sandbox: Plaid's API (WSGI) for the official ``plaid-python`` client, its
signed webhooks, its own extraction, and its clock.

Served on loopback (``devstack.sandbox_plaid.server``) with the client's
``Configuration(host=...)`` pointed at it. Time is an injected clock: an extraction
and a webhook retry fall due when the clock says so, and ``tick()`` does what is
due; nothing waits in real time. The helpers below do what a customer or the bank
would: link an Item in Link, need a new login, repair it, post and settle rows.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask

from devstack.sandbox_plaid import gate, hooks, routes
from devstack.sandbox_plaid.errors import PlaidApiError
from devstack.sandbox_plaid.faults import Faults
from devstack.sandbox_plaid.items import Extraction, ItemState
from devstack.sandbox_plaid.signing import KeyRing
from devstack.sandbox_plaid.webhooks import DUPLICATE_GAP_SECONDS, PlaidOutbox
from devstack.sandbox_plaid.world import PlaidAccountSpec, PlaidWorld, default_accounts, plaid_id


class PlaidSandbox:
    def __init__(
        self,
        world: PlaidWorld | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.world = world or PlaidWorld()
        self.clock = clock
        self.sleep = sleep
        self.faults = Faults()
        self.keys = KeyRing(clock())
        self.outbox = PlaidOutbox(
            clock, self.keys, self.world.retry_delays, self.world.rejection_cutoff
        )
        self.items: dict[str, ItemState] = {}
        self.item_by_token: dict[str, ItemState] = {}
        self.link_tokens: dict[str, dict[str, Any]] = {}
        self.public_tokens: dict[str, tuple[str, float]] = {}  # token: (item_id, expires_at)
        self.lock = threading.RLock()
        period = self.world.extraction_seconds
        self._next_extraction = clock() + period if period else None
        self.app = Flask("plaid-sandbox")
        self.calls = gate.install(self.app, self)
        routes.register(self.app, self)

    # What customers do in Link.
    def link_item(
        self,
        webhook: str | None = None,
        accounts: list[PlaidAccountSpec] | None = None,
        products: tuple[str, ...] = ("transactions",),
        consent_days: float | None = None,
    ) -> str:
        """A customer links an Item in Link; returns its ``public_token`` (30 minutes, once)."""
        with self.lock:
            now = self.clock()
            item_id = plaid_id("item", str(len(self.items)), str(now))
            item = ItemState(
                item_id,
                f"access-sandbox-{plaid_id(item_id, 'access', length=36)}",
                accounts or default_accounts(item_id),
                list(products),
                webhook,
                now,
                consent_expires_at=now + consent_days * 86_400 if consent_days else None,
            )
            if "transactions" in products:
                item.seed_history(self.world.history_days, now)
            self.items[item_id] = item
            self.item_by_token[item.access_token] = item
            return self.mint_public_token(item_id)

    def complete_link(self, link_token: str, accounts: list[PlaidAccountSpec] | None = None) -> str:
        """The customer finishes Link opened with ``link_token``: a new Item's public_token,
        or for update mode (a link token made with an ``access_token``) the Item repaired."""
        with self.lock:
            opened = self.link_tokens.get(link_token)
            if opened is None or opened["expires_at"] <= self.clock():
                raise KeyError(f"no open link token {link_token}")
            updating = opened.get("item_id")
            if updating:
                self.items[updating].error = None  # update mode: no LOGIN_REPAIRED, per Plaid
                return self.mint_public_token(updating)
            return self.link_item(opened.get("webhook"), accounts, tuple(opened["products"]))

    def mint_public_token(self, item_id: str) -> str:
        token = (
            f"public-sandbox-{plaid_id(item_id, 'public', str(len(self.public_tokens)), length=36)}"
        )
        self.public_tokens[token] = (item_id, self.clock() + self.world.public_token_ttl)
        return token

    def require_login(self, item_id: str) -> None:
        """The bank wants the user to log in again: ITEM_LOGIN_REQUIRED, announced."""
        with self.lock:
            item = self.items[item_id]
            item.error = "ITEM_LOGIN_REQUIRED"
            self.send(item, hooks.item_error(item, "ITEM_LOGIN_REQUIRED"))

    def repair_login(self, item_id: str) -> None:
        """The Item recovers without update mode in the business's app: LOGIN_REPAIRED."""
        with self.lock:
            item = self.items[item_id]
            item.error = None
            self.send(item, hooks.login_repaired(item))

    # What the bank does; Plaid sees it at its next extraction.
    def bank_posts(
        self, item_id: str, account_id: str, amount: float, name: str, pending: bool = True
    ) -> None:
        self.items[item_id].bank(
            "post", account_id=account_id, amount=amount, name=name, pending=pending
        )

    def bank_settles(self, item_id: str, transaction_id: str) -> None:
        self.items[item_id].bank("settle", transaction_id=transaction_id)

    def bank_amends(self, item_id: str, transaction_id: str, **fields: Any) -> None:
        self.items[item_id].bank("amend", transaction_id=transaction_id, fields=fields)

    def bank_reverses(self, item_id: str, transaction_id: str) -> None:
        self.items[item_id].bank("reverse", transaction_id=transaction_id)

    # Time.
    def tick(self) -> int:
        """Do what is due by now, then send due webhooks; returns how many got a 200."""
        self.settle()
        return self.outbox.deliver_due()

    def next_event_at(self) -> float | None:
        times = [self._next_extraction, self.outbox.next_due()]
        return min((t for t in times if t is not None), default=None)

    def settle(self) -> None:
        """Bring the sandbox up to its clock (every request does this first)."""
        with self.lock:
            now = self.clock()
            period = self.world.extraction_seconds
            while period and self._next_extraction is not None and self._next_extraction <= now:
                for item in list(self.items.values()):
                    self.extract(item, self._next_extraction)
                self._next_extraction += period
            for item in self.items.values():
                self._warn_of_expiry(item, now)

    def extract(self, item: ItemState, at: float) -> Extraction | None:
        """Plaid's extraction of one Item: the bank's news into the ledger, announced."""
        with self.lock:
            if item.error is not None or "transactions" not in item.products:
                return None
            done = item.extract(at, self.world.new_per_extraction)
            if done.changed and item.synced_once:
                self.send(item, hooks.sync_updates_available(item), at)
            if self.world.legacy_webhooks and done.added:
                self.send(item, hooks.default_update(item, done.added), at)
            if self.world.legacy_webhooks and done.removed:
                self.send(item, hooks.transactions_removed(item, done.removed), at)
            return done

    def _warn_of_expiry(self, item: ItemState, now: float) -> None:
        expires = item.consent_expires_at
        if expires is None or item.warned_of_expiry:
            return
        if now >= expires - self.world.pending_expiration_notice:
            item.warned_of_expiry = True
            self.send(item, hooks.pending_expiration(item), now)

    def send(self, item: ItemState, payload: dict[str, Any], at: float | None = None) -> bool:
        """Queue a webhook to the Item's URL (faults may drop or repeat it)."""
        when = self.clock() if at is None else at
        item.last_webhook = (str(payload["webhook_code"]), when)
        code = str(payload["webhook_code"])
        if item.webhook is None:
            return False
        if self.faults.drops(code):
            self.outbox.dropped.append(payload)
            return True
        self.outbox.queue(item.webhook, payload, when)
        if self.faults.duplicates(code):
            self.outbox.queue(item.webhook, payload, when + DUPLICATE_GAP_SECONDS)
        return True

    def item_for(self, access_token: object) -> ItemState:
        if not isinstance(access_token, str) or not access_token:
            raise PlaidApiError("MISSING_FIELDS", fields="access_token")
        item = self.item_by_token.get(access_token)
        if item is None:
            raise PlaidApiError("INVALID_ACCESS_TOKEN")
        return item
