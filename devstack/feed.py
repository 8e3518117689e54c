"""The offline stack's live activity feed: one line per thing the system did.

It reads what a user could read: both tables' streams, the state machine's
execution histories, the provider sandbox's call log, and the scheduler's and
the HTTP API's own reports.
"""

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from boto3.dynamodb.types import TypeDeserializer

from banksync.dynamo import plain
from devstack.sandbox.app import Sandbox
from devstack.sandbox_mono.app import MonoSandbox
from devstack.streams import StreamPump

_deserialize = TypeDeserializer().deserialize


def image(record: dict[str, Any], which: str) -> dict[str, Any]:
    raw = record.get("dynamodb", {}).get(which) or {}
    return {key: plain(_deserialize(value)) for key, value in raw.items()}


class ActivityFeed:
    def __init__(
        self,
        session: Any,
        events_stream: str,
        data_stream: str,
        state_machine_arn: str,
        sandbox: Sandbox | None = None,
        out: TextIO = sys.stdout,
        clock: Callable[[], float] = time.time,
        mono_sandbox: MonoSandbox | None = None,
    ) -> None:
        self._events = StreamPump(session, events_stream, start_at_latest=True)
        self._data = StreamPump(session, data_stream, start_at_latest=True)
        self._sfn = session.client("stepfunctions")
        self._machine = state_machine_arn
        self._sandbox = sandbox
        self._sandbox_seen = 0
        self._mono = mono_sandbox
        self._mono_seen = 0
        self._history_seen: dict[str, int] = {}
        self._run_providers: dict[str, str] = {}  # each run serves one provider
        self._out, self._clock = out, clock

    def say(self, source: str, message: str) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(self._clock()))
        print(f"{stamp}  {source:<10} {message}", file=self._out, flush=True)

    def domain_event(self, detail: dict[str, Any]) -> None:
        """An event the domain-events Pipe put on the stack's bus."""
        about = detail.get("account_id") or detail.get("refresh_id") or ""
        extra = ""
        if detail.get("type") == "banksync.transactions.changed":
            extra = " ({added} added, {modified} modified, {removed} removed)".format(**detail)
        elif detail.get("status"):
            extra = f" ({detail['status']})"
        self.say("event", f"{detail.get('type')} {about}{extra}".rstrip())

    def poll(self) -> None:
        for record in self._events.poll():
            self._webhook(record)
        self._data_changes(self._data.poll())
        self._executions()
        self._provider_calls()

    def _webhook(self, record: dict[str, Any]) -> None:
        new = image(record, "NewImage")
        if record["eventName"] == "INSERT":
            what = " ".join(str(new.get(k)) for k in ("event_type", "code") if new.get(k))
            self.say("webhook", f"stored {what or 'event'} (event {str(new['event_id'])[:12]}…)")

    def _data_changes(self, records: list[dict[str, Any]]) -> None:
        transactions: Counter[tuple[str, str]] = Counter()
        for record in records:
            old, new = image(record, "OldImage"), image(record, "NewImage")
            sk = str((new or old).get("sk", ""))
            if new.get("entity") == "transaction_tombstone":
                what = f"transaction {new['transaction_id']} removed before it was fetched"
                self.say("data", f"{what} (it will not appear)")
            elif sk.startswith("TXN#") and new.get("removed_at") and not old.get("removed_at"):
                self.say(
                    "data", f"transaction {new['transaction_id']} removed (the bank took it back)"
                )
            elif sk.startswith("TXN#"):
                if new.get("transaction_id"):  # an upsert can show as a bare key first
                    transactions[(str(new["account_id"]), record["eventName"])] += 1
            elif line := _describe(sk, record["eventName"], old, new, self._run_providers):
                self.say(*line)
        for (account, event), count in sorted(transactions.items()):
            verb = "new" if event == "INSERT" else "updated"
            self.say("data", f"{count} {verb} transactions stored for {account}")

    def _executions(self) -> None:
        for execution in self._sfn.list_executions(stateMachineArn=self._machine)["executions"]:
            arn = execution["executionArn"]
            if execution["status"] != "RUNNING" and self._history_seen.get(arn, -1) == -2:
                continue
            events = self._sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
            seen = self._history_seen.get(arn, 0)
            for event in events:
                if event["id"] > seen:
                    self._execution_event(execution["name"], event)
            finished = execution["status"] != "RUNNING"
            self._history_seen[arn] = -2 if finished else max((e["id"] for e in events), default=0)

    def _execution_event(self, name: str, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "ExecutionStarted":
            started = json.loads(event["executionStartedEventDetails"].get("input") or "{}")
            items, customers = len(started.get("items", [])), len(started.get("customers", []))
            what = [f"{items} items"] * bool(items)
            what += [f"{customers} customers' accounts"] * bool(customers)
            provider = self._run_providers[name] = started.get("provider") or "okra"
            self.say("workflow", f"{name} started ({provider}: {', '.join(what)})")
        elif kind == "WaitStateEntered":
            state = json.loads(event["stateEnteredEventDetails"].get("input") or "{}")
            self.say(
                "workflow", f"{name} waiting {state.get('progress', {}).get('wait_seconds')} s"
            )
        elif kind == "TaskStateEntered":
            details = event["stateEnteredEventDetails"]
            if details["name"] == "WaitForCallbacks":
                state = json.loads(details.get("input") or "{}")
                wait = state.get("progress", {}).get("wait_seconds")
                self.say("workflow", f"{name} parked (the provider's webhook, or {wait} s)")
            else:
                self.say("workflow", f"{name} {details['name']}")
        elif kind in ("ExecutionSucceeded", "ExecutionFailed"):
            self.say("workflow", f"{name} {kind.removeprefix('Execution').lower()}")

    def _provider_calls(self) -> None:
        self._mono_calls()
        if self._sandbox is None:
            return
        calls = self._sandbox.calls[self._sandbox_seen :]
        self._sandbox_seen += len(calls)
        for call in calls:
            if call.path.endswith("/callback"):
                state = {200: "ready", 202: "not ready yet"}.get(call.status, f"HTTP {call.status}")
                self.say("provider", f"callback for {call.account_id}: {state}")
            else:
                self.say(
                    "provider", f"{call.method} {call.path} {call.account_id or ''} → {call.status}"
                )

    def _mono_calls(self) -> None:
        if self._mono is None:
            return
        calls = self._mono.calls[self._mono_seen :]
        self._mono_seen += len(calls)
        for call in calls:
            job = f" (real-time job {call.job_id})" if call.realtime and call.job_id else ""
            self.say("mono", f"{call.method} {call.path} → {call.status}{job}")


def _describe(
    sk: str,
    event: str,
    old: dict[str, Any],
    new: dict[str, Any],
    providers: Mapping[str, str] | None = None,
) -> tuple[str, str] | None:
    run = str(new.get("pk") or old.get("pk") or "").removeprefix("REFRESH#")
    provider = (providers or {}).get(run, "the provider")
    if sk.startswith("ITEM#") and old.get("status") != new.get("status"):
        detail = new.get("reason") or ""
        if new.get("status") == "succeeded":
            # Whether the provider's webhook announced the data or a poll found it.
            how = "woken by its webhook" if new.get("pushed_at") else "polled"
            detail = f"({provider}, {how}) {detail}"
        return "refresh", f"{new['account_id']}/{new['product']}: {new['status']} {detail}".strip()
    if sk == "BALANCE#LATEST":
        # Minor units, labelled, as the read API and the events give them (not the
        # provider's own figures, which are in major units).
        unit = f"{new.get('currency') or 'currency'} minor units"
        return "data", (
            f"balance stored for {new['account_id']}: ledger {new.get('ledger', 'none')} "
            f"available {new.get('available', 'none')} ({unit})"
        )
    if sk == "RUN" and new.get("status") != old.get("status") and new.get("status") != "running":
        counts = ", ".join(f"{n} {status}" for status, n in (new.get("counts") or {}).items())
        return "refresh", f"{new['refresh_id']} {new['status']} ({counts})"
    if sk == "SUBSCRIPTION":
        if event == "REMOVE":
            return "sync", f"subscription {old['subscription_id']} deleted"
        if old.get("state") != new.get("state") or event == "INSERT":
            return (
                "sync",
                f"subscription {new['subscription_id']} {new['state']} ({new['interval']})",
            )
    if sk == "SUBSCRIPTION" and old.get("webhook_state", "enabled") != new.get(
        "webhook_state", "enabled"
    ):
        why = new.get("webhook_disabled_reason") or "resumed"
        return "delivery", f"{new['subscription_id']} webhook {new['webhook_state']} ({why})"
    if sk.startswith("DELIVERY#"):
        return _delivery(event, old, new)
    if new.get("kind") == "pushed_update" and old.get("status") != new.get("status"):
        if new["status"] == "queued":
            return "push", f"provider pushed {new['sk']} (record {new['record_id']}): fetch queued"
        where = f" for {new['account_id']}" if new.get("account_id") else ""
        return "push", f"pushed {new['sk']}{where}: {new['status']} {new.get('reason') or ''}"
    if sk == "WAKE" and new.get("woken_at") and not old.get("woken_at"):
        return "workflow", f"{run} woken by {provider}'s webhook"
    if sk.startswith("TXN#") and new.get("removed_at") and not old.get("removed_at"):
        return "data", f"transaction {new['transaction_id']} removed (the bank took it back)"
    if sk.startswith("EVENT#"):
        return "account", f"{new['account_id']}: {new['event']}"
    if sk == "PROFILE" and event == "INSERT" and new.get("account_id"):
        at = f"at {new.get('bank_name')} ({new.get('provider') or 'okra'})"
        return "account", f"registered {new['account_id']} {at}"
    return None


def _delivery(event: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, str]:
    if event == "INSERT" and new.get("status") == "abandoned":
        return "delivery", f"{new['event_type']} not sent: {new.get('reason')}"
    if event == "INSERT":
        return "delivery", f"{new['event_type']} queued for {new['webhook_url']}"
    if old.get("chain", 1) != new.get("chain", 1):
        return "delivery", f"{new['delivery_id']} replayed (chain {new['chain']})"
    attempt = (new.get("attempts") or [{}])[-1]
    answer = attempt.get("status_code") or attempt.get("error")
    outcome = new["status"] + (f" ({new['reason']})" if new.get("reason") else "")
    return (
        "delivery",
        f"{new['delivery_id']} attempt {new.get('attempt_count')}: {answer} → {outcome}",
    )
