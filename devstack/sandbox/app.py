"""The sandbox's HTTP API (WSGI): Okra's contract, with per-account faults.

Usable in-process (``Sandbox.transport()`` is an httpx transport) and on
loopback (``devstack.sandbox.server``). Time comes from an injected clock, so
tests decide when a callback becomes ready without waiting for it. Like the
provider, it POSTs webhooks when data is ready and refreshes every connected
account on its own period (``tick()`` does what is due; ``devstack.sandbox.push``).
"""

import hashlib
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

import httpx
from flask import Flask, Response, g, jsonify, request

from devstack.sandbox.answers import error, not_ready, page_of, pagination
from devstack.sandbox.push import WebhookOutbox, webhook_payload
from devstack.sandbox.records import Call, Record
from devstack.sandbox.world import AccountSpec, World

METHODS = {"balance": "BALANCE", "transactions": "REFRESH_TRANSACTIONS"}
DEFAULT_BASE_URL = "http://okra.sandbox.test/v2"
TWICE_GAP_SECONDS = 5.0
# How long after announcing new rows the bank takes some of them back.
TAKEN_BACK_AFTER_SECONDS = 0.2


class Sandbox:
    def __init__(
        self,
        world: World,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        base_url: str = DEFAULT_BASE_URL,
    ) -> None:
        self.world = world
        self.clock = clock
        self.sleep = sleep
        self.base_url = base_url  # where callbacks of the provider's own refreshes point
        self.calls: list[Call] = []
        self.outbox = WebhookOutbox(clock)
        self.removed: dict[str, set[str]] = {}
        period = world.auto_refresh_seconds
        self._next_auto_refresh = clock() + period if period else None
        self._records: dict[str, Record] = {}
        self._refreshes: Counter[tuple[str, str]] = Counter()
        self._faults_served: Counter[tuple[str, str]] = Counter()
        self._window: deque[float] = deque()
        self._lock = threading.Lock()
        self.app = self._build_app()

    def transport(self) -> httpx.WSGITransport:
        return httpx.WSGITransport(app=self.app)

    def next_event_at(self) -> float | None:
        """When the sandbox next does something of its own (a webhook, its refresh)."""
        times = [t for t in (self.outbox.next_due(), self._next_auto_refresh) if t is not None]
        return min(times, default=None)

    def tick(self) -> int:
        """Run the provider's own refreshes that are due, then send due webhooks."""
        period = self.world.auto_refresh_seconds
        while period and self._next_auto_refresh and self._next_auto_refresh <= self.clock():
            self._auto_refresh(self._next_auto_refresh)
            self._next_auto_refresh += period
        return self.outbox.deliver_due()

    def record(self, record_id: str) -> Record | None:
        return self._records.get(record_id)

    def refresh_everything(self) -> None:
        """The provider's own refresh of every connected account, now (``tick`` runs it
        on its period)."""
        self._auto_refresh(self.clock())

    def _auto_refresh(self, at: float) -> None:
        """The provider's periodic refresh of every connected account, with its webhooks."""
        for account in self.world.accounts:
            if account.scenario.reauth_required:
                continue  # not connected until the customer re-authorises
            for product in METHODS:
                record = self._new_record(account, product, at)
                if product == "transactions":
                    self._take_back_rows(account, record)

    def _take_back_rows(self, account: AccountSpec, record: Record) -> None:
        if account.scenario.never_ready:
            return
        removed = self.removed.setdefault(account.account_id, set())
        posted, announced = account.taken_back(record.snapshot, frozenset(removed))
        removed.update(posted + announced)
        for gone, after in ((posted, 0.0), (announced, TAKEN_BACK_AFTER_SECONDS)):
            if gone:
                payload = self._payload(record, "TRANSACTIONS_DELETED", removed_transactions=gone)
                self.outbox.queue(payload, record.ready_at + after)

    def _schedule_webhook(self, record: Record) -> None:
        scenario = record.account.scenario
        if scenario.never_ready or scenario.webhook == "never":
            return
        if record.product == "balance":
            payload = self._payload(record, "BALANCE_SUCCESS")
        else:
            code = "INITIAL_TRANSACTIONS" if record.snapshot <= 1 else "PERIODIC_TRANSACTIONS"
            new = record.account.new_transactions(record.snapshot)
            payload = self._payload(record, code, new_transactions=new)
        at = {
            "early": record.created_at,
            "late": record.ready_at + scenario.webhook_delay,
        }.get(scenario.webhook, record.ready_at)
        self.outbox.queue(payload, at)
        if scenario.webhook == "twice":
            self.outbox.queue(payload, at + TWICE_GAP_SECONDS)

    def _payload(self, record: Record, code: str, **extra: Any) -> dict[str, Any]:
        account = record.account
        return webhook_payload(
            code=code,
            record_id=record.record_id,
            callback_url=self._callback_url(record),
            customer_id=account.customer_id,
            bank_id=account.bank_id,
            bank_name=account.bank_name,
            at=record.ready_at,
            extra=extra,
        )

    def _callback_url(self, record: Record) -> str:
        method = METHODS[record.product]
        return f"{self.base_url}/callback?record={record.record_id}&method={method}"

    def calls_to(self, path_suffix: str, account_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.path.endswith(path_suffix) and account_id in (None, c.account_id)
        ]

    def _build_app(self) -> Flask:
        app = Flask("okra-sandbox")
        app.before_request(self._gate)
        app.after_request(self._count)
        app.add_url_rule("/v2/<product>/refresh", view_func=self._refresh, methods=["POST"])
        app.add_url_rule("/v2/callback", view_func=self._callback, methods=["GET"])
        app.add_url_rule("/v2/accounts/getByCustomer", view_func=self._accounts, methods=["POST"])
        return app

    # Every request: bearer auth, then the business-wide requests-per-minute limit.
    def _gate(self) -> Response | None:
        g.account_id, g.arrived = None, self.clock()
        if request.headers.get("Authorization") != f"Bearer {self.world.secret_key}":
            return error(401, "Invalid or missing authorization token", "UNAUTHORIZED")
        with self._lock:
            now = self.clock()
            while self._window and self._window[0] <= now - 60:
                self._window.popleft()
            if len(self._window) >= self.world.requests_per_minute:
                return error(429, "Too many requests, try again in 60 seconds", "RATE_LIMIT")
            self._window.append(now)
        return None

    def _count(self, response: Response) -> Response:
        with self._lock:
            self.calls.append(
                Call(
                    request.method,
                    request.path,
                    g.get("account_id"),
                    response.status_code,
                    g.arrived,
                    g.get("customer_id"),
                )
            )
        return response

    def _fault(self, account: AccountSpec, kind: str, budget: int) -> bool:
        """Whether this call is one of the first ``budget`` of ``kind`` for ``account``."""
        with self._lock:
            key = (account.account_id, kind)
            if self._faults_served[key] >= budget:
                return False
            self._faults_served[key] += 1
            return True

    def _account_for(self, account_id: Any) -> AccountSpec | Response:
        g.account_id = account_id if isinstance(account_id, str) else None
        account = self.world.account(account_id) if isinstance(account_id, str) else None
        if account is None:
            return error(404, "Account not found", "NOT_FOUND")
        scenario = account.scenario
        if scenario.slow_seconds:
            self.sleep(scenario.slow_seconds)
        if self._fault(account, "unavailable", scenario.unavailable_calls):
            return error(503, "The bank took too long to respond", "BANK_TIMEOUT")
        return account

    def _refresh(self, product: str) -> Response:
        if product not in METHODS:
            return error(404, f"Unknown product {product}", "NOT_FOUND")
        body = request.get_json(silent=True) or {}
        if not body.get("account_id"):
            return error(400, "account_id is required", "INVALID_REQUEST")
        account = self._account_for(body["account_id"])
        if isinstance(account, Response):
            return account
        scenario = account.scenario
        if self._fault(account, "rate_limited", scenario.rate_limited_calls):
            return error(429, "Too many requests, try again in 60 seconds", "RATE_LIMIT")
        if scenario.reauth_required:
            return error(400, "This bank requires the customer to re-authorise", "REAUTH_REQUIRED")
        record = self._new_record(account, product)
        callback = self._callback_url(record)
        return jsonify(
            status="success",
            message=f"{product.capitalize()} refresh started",
            data={"callback_url": callback, "record": record.record_id},
        )

    def _new_record(self, account: AccountSpec, product: str, at: float | None = None) -> Record:
        with self._lock:
            snapshot = self._refreshes[(account.account_id, product)]
            self._refreshes[(account.account_id, product)] += 1
            seed = f"{account.account_id}/{product}/{snapshot}/{len(self._records)}"
            record_id = hashlib.sha256(seed.encode()).hexdigest()[:24]
            now = self.clock() if at is None else at
            ready_at = now + account.scenario.ready_after
            removed = frozenset(self.removed.get(account.account_id, ()))
            record = Record(record_id, account, product, ready_at, snapshot + 1, now, removed)
            self._records[record_id] = record
        self._schedule_webhook(record)
        return record

    def _callback(self) -> Response:
        record = self._records.get(request.args.get("record", ""))
        if record is None:
            return error(404, "Record not found", "NOT_FOUND")
        account = self._account_for(record.account.account_id)
        if isinstance(account, Response):
            return account
        if account.scenario.never_ready or self.clock() < record.ready_at:
            return not_ready(account, record.product)
        if record.product == "balance":
            balance = account.balance(record.snapshot)
            return jsonify(status="success", message="Balance retrieved", data={"balance": balance})
        page = max(1, request.args.get("page", 1, type=int))
        removed = (
            record.removed
            if self.world.records_keep_removed_rows
            else frozenset(self.removed.get(account.account_id, ()))
        )
        rows = account.transactions(record.snapshot, removed)
        return jsonify(
            status="success",
            message="Transactions retrieved",
            data={
                "transactions": page_of(rows, page, self.world.page_size),
                "pagination": pagination(len(rows), page, self.world.page_size),
            },
        )

    def _accounts(self) -> Response:
        body = request.get_json(silent=True) or {}
        customer = body.get("customer")
        if not customer:
            return error(400, "customer is required", "INVALID_REQUEST")
        g.customer_id = str(customer)
        page = max(1, int(body.get("page") or 1))
        limit = max(1, min(int(body.get("limit") or 20), 100))
        rows = [a.as_okra() for a in self.world.customer_accounts(str(customer))]
        return jsonify(
            status="success",
            message="Accounts retrieved successfully",
            data={
                "accounts": page_of(rows, page, limit),
                "pagination": pagination(len(rows), page, limit),
            },
        )
