"""Linking: the widget code's exchange, hosted links (new and re-authorisation), an
account's details and the business's list of linked accounts."""

import math
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, jsonify, request

from devstack.sandbox_mono.bank import AccountState, object_id
from devstack.sandbox_mono.envelope import failed, iso, successful
from devstack.sandbox_mono.gate import account_or_404

if TYPE_CHECKING:
    from devstack.sandbox_mono.app import MonoSandbox

SCOPES = ("auth", "reauth")


def register(app: Flask, sandbox: "MonoSandbox") -> None:
    def exchange() -> Response:
        body = request.get_json(silent=True)
        code = body.get("code") if isinstance(body, dict) else None
        if not isinstance(code, str) or not code:
            return failed(sandbox.clock(), 400, "code is required")
        with sandbox.lock:
            found = sandbox.codes.get(code)
            if found is None or found.used or sandbox.clock() >= found.expires_at:
                return failed(sandbox.clock(), 400, "code is invalid, used or expired")
            found.used = True
        if sandbox.world.exchange_answer == "envelope":
            return successful(sandbox.clock(), {"id": found.account_id})
        return jsonify(id=found.account_id)

    def initiate() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return failed(sandbox.clock(), 400, "a JSON object body is required")
        scope = body.get("scope")
        if scope not in SCOPES:
            return failed(sandbox.clock(), 400, "scope must be 'auth' or 'reauth'")
        meta = body.get("meta")
        ref = meta.get("ref") if isinstance(meta, dict) else None
        ref = ref if isinstance(ref, str) else None
        answer: dict[str, Any]
        if scope == "auth":
            customer = customer_from(body.get("customer"))
            if isinstance(customer, str):
                return failed(sandbox.clock(), 400, customer)
            url = sandbox.open_link("auth", customer, ref, None)
            answer = {"mono_url": url, "customer": customer["id"], "meta": {"ref": ref}}
        else:
            account_id = body.get("account")
            if not isinstance(account_id, str) or not account_id:
                return failed(sandbox.clock(), 400, "account is required for scope reauth")
            state = account_or_404(sandbox, account_id)
            if isinstance(state, Response):
                return state
            spec = state.spec
            customer = {"id": spec.customer_id, "name": spec.customer_name, "email": ""}
            url = sandbox.open_link("reauth", customer, ref, account_id)
            answer = {
                "mono_url": url,
                "customer": spec.customer_id,
                "account": account_id,
                "meta": {"ref": ref},
                "institution": spec.institution_id,
                "auth_method": spec.auth_method,
            }
        answer["scope"] = scope
        answer["redirect_url"] = body.get("redirect_url")
        answer["created_at"] = iso(sandbox.clock())
        return successful(sandbox.clock(), answer)

    def details(account_id: str) -> Response:
        state = account_or_404(sandbox, account_id)
        if isinstance(state, Response):
            return state
        spec = state.spec
        account = {
            "id": spec.account_id,
            "name": spec.name,
            "account_number": spec.account_number,
            "currency": spec.currency,
            "balance": state.balance(),
            "type": spec.type,
            "bvn": spec.bvn_last4,
            "institution": {
                "name": spec.institution,
                "bank_code": spec.bank_code,
                "type": "PERSONAL_BANKING",
            },
        }
        meta: dict[str, Any] = {"data_status": state.data_status, "auth_method": spec.auth_method}
        meta["retrieved_data"] = [*state.retrieved_data]
        if state.ref is not None:
            meta["ref"] = state.ref
        data = {"account": account, "customer": {"id": spec.customer_id}, "meta": meta}
        return successful(sandbox.clock(), data)

    def listing() -> Response:
        page = request.args.get("page", "1")
        if not page.isdigit() or int(page) < 1:
            return failed(sandbox.clock(), 400, "page must be a positive integer")
        number, size = int(page), sandbox.world.accounts_page_size
        with sandbox.lock:
            rows = [list_row(state) for state in sandbox.accounts.values()]
        pages = max(1, math.ceil(len(rows) / size))
        link = f"{sandbox.base_url}/v2/accounts/?page="
        meta = {
            "total": len(rows),
            "pages": pages,
            "previous": f"{link}{number - 1}" if number > 1 else None,
            "next": f"{link}{number + 1}" if number < pages else None,
        }
        chosen = rows[(number - 1) * size : number * size]
        return successful(sandbox.clock(), chosen, "Data retrieved successfully", meta)

    app.add_url_rule("/v2/accounts/auth", "exchange", exchange, methods=["POST"])
    app.add_url_rule("/v2/accounts/initiate", "initiate", initiate, methods=["POST"])
    app.add_url_rule("/v2/accounts", "listing", listing, methods=["GET"])
    app.add_url_rule("/v2/accounts/<account_id>", "details", details, methods=["GET"])


def customer_from(value: Any) -> dict[str, str] | str:
    """The customer of a new link: ``{name, email}`` (or an existing ``{id}``), or what
    is wrong with it."""
    if not isinstance(value, dict):
        return "customer is required for scope auth"
    if isinstance(value.get("id"), str) and value["id"]:
        return {"id": value["id"], "name": str(value.get("name", "")), "email": ""}
    for name in ("name", "email"):
        if not isinstance(value.get(name), str) or not value[name]:
            return f"customer.{name} is required"
    customer_id = object_id("customer", value["email"].lower())
    return {"id": customer_id, "name": value["name"], "email": value["email"]}


def list_row(state: AccountState) -> dict[str, Any]:
    spec = state.spec
    return {
        "id": spec.account_id,
        "name": spec.name,
        "account_number": spec.account_number,
        "currency": spec.currency,
        "balance": state.balance(),
        "auth_method": spec.auth_method,
        "status": state.data_status,
        "bvn": spec.bvn_last4,
        "type": spec.type,
        "institution": {
            "id": spec.institution_id,
            "name": spec.institution,
            "bank_code": spec.bank_code,
            "type": "PERSONAL_BANKING",
        },
        "customer": {
            "id": spec.customer_id,
            "name": spec.customer_name,
            "email": spec.customer_email,
        },
    }
