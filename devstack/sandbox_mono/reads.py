"""The data: an account's balance and transactions (optionally real-time), and a job.

A real-time call (``x-realtime: true``) joins the account's job (see ``jobs``) and
answers its headers. While the job is processing the body is Mono's "enqueued"
answer (200, ``data: null``: "please try again once notified via webhook"); once
it has ended, the data Mono holds. A call without the header reads what Mono
holds and starts nothing. Before Mono's first fetch of a new account, the data is
empty (``balance`` null, no rows).
"""

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from flask import Flask, Response, request

from devstack.sandbox_mono.bank import AccountState
from devstack.sandbox_mono.envelope import failed, iso, successful
from devstack.sandbox_mono.gate import account_or_404, realtime_asked

if TYPE_CHECKING:
    from devstack.sandbox_mono.app import MonoSandbox

ENQUEUED = "Account {} sync is enqueued, please try again once notified via webhook"
DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d")  # v1's client sent DD-MM-YYYY; ISO dates too


def register(app: Flask, sandbox: "MonoSandbox") -> None:
    def read(account_id: str, product: str) -> tuple[AccountState, dict[str, str]] | Response:
        state = account_or_404(sandbox, account_id)
        if isinstance(state, Response):
            return state
        if not realtime_asked():
            return state, {}
        job = sandbox.realtime(state, product)
        if job.status == "processing":
            word = "balance" if product == "balance" else "transaction"
            return successful(sandbox.clock(), None, ENQUEUED.format(word), headers=job.headers())
        return state, job.headers()

    def balance(account_id: str) -> Response:
        found = read(account_id, "balance")
        if isinstance(found, Response):
            return found
        state, headers = found
        spec = state.spec
        data = {
            "id": spec.account_id,
            "name": spec.name,
            "account_number": spec.account_number,
            "balance": state.balance(),
            "currency": spec.currency,
        }
        return successful(sandbox.clock(), data, headers=headers)

    def transactions(account_id: str) -> Response:
        query = transaction_query(request.args, sandbox.world.transactions_limit)
        if isinstance(query, str):
            return failed(sandbox.clock(), 400, query)
        found = read(account_id, "transactions")
        if isinstance(found, Response):
            return found
        state, headers = found
        rows = [row for row in state.rows() if matches(row, query)]
        message = "Transaction retrieved successfully"
        meta: dict[str, Any]
        if not query["paginate"]:
            meta = {"total": len(rows), "page": 1, "previous": None, "next": None}
            return successful(sandbox.clock(), rows, message, meta, headers)
        page, limit = query["page"], query["limit"]
        chosen = rows[(page - 1) * limit : page * limit]
        meta = {
            "total": len(rows),
            "page": page,
            "previous": page_link(sandbox, account_id, page - 1) if page > 1 else None,
            "next": page_link(sandbox, account_id, page + 1) if page * limit < len(rows) else None,
        }
        return successful(sandbox.clock(), chosen, message, meta, headers)

    def job(account_id: str, job_id: str) -> Response:
        state = account_or_404(sandbox, account_id)
        if isinstance(state, Response):
            return state
        found = sandbox.jobs.jobs.get(job_id)
        if found is None or found.account_id != account_id:
            return failed(sandbox.clock(), 404, "Job not found")
        message = "Job execution completed" if found.status != "processing" else "Job is processing"
        data = found.as_data(sandbox.world.app_id, sandbox.world.business_id)
        return successful(sandbox.clock(), data, message)

    app.add_url_rule("/v2/accounts/<account_id>/balance", "balance", balance, methods=["GET"])
    app.add_url_rule(
        "/v2/accounts/<account_id>/transactions", "transactions", transactions, methods=["GET"]
    )
    app.add_url_rule("/v2/accounts/<account_id>/jobs/<job_id>", "job", job, methods=["GET"])


def page_link(sandbox: "MonoSandbox", account_id: str, page: int) -> str:
    """The documented link lacks ``/accounts/`` and every filter but ``page``."""
    if sandbox.world.documented_next_link:
        return f"{sandbox.base_url}/v2/{account_id}/transactions?page={page}"
    query = {**request.args.to_dict(), "page": str(page)}
    return f"{sandbox.base_url}/v2/accounts/{account_id}/transactions?{urlencode(query)}"


def transaction_query(args: Any, default_limit: int) -> dict[str, Any] | str:
    """The transactions call's query, or what is wrong with it (naming the parameter)."""
    query: dict[str, Any] = {}
    for name, default in (("page", 1), ("limit", default_limit)):
        text = args.get(name, str(default))
        if not text.isdigit() or int(text) < 1:
            return f"{name} must be a positive integer"
        query[name] = int(text)
    paginate = args.get("paginate", "true").lower()
    if paginate not in ("true", "false"):
        return "paginate must be true or false"
    query["paginate"] = paginate == "true"
    kind = args.get("type")
    if kind is not None and kind.lower() not in ("debit", "credit"):
        return "type must be debit or credit"
    query["type"] = kind.lower() if kind else None
    query["narration"] = (args.get("narration") or "").lower() or None
    for name in ("start", "end"):
        text = args.get(name)
        day = parse_day(text) if text else None
        if text and day is None:
            return f"{name} must be a date, DD-MM-YYYY"
        query[name] = day
    if query["start"] and query["end"] and query["start"] > query["end"]:
        return "start must not be after end"
    return query


def parse_day(text: str) -> datetime | None:
    for layout in DATE_FORMATS:
        try:
            return datetime.strptime(text, layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def matches(row: dict[str, Any], query: dict[str, Any]) -> bool:
    if query["type"] and row["type"] != query["type"]:
        return False
    if query["narration"] and query["narration"] not in row["narration"].lower():
        return False
    date = row["date"]
    if query["start"] and date < iso(query["start"].timestamp()):
        return False
    end = query["end"]
    return not (end and date >= iso((end + timedelta(days=1)).timestamp()))
