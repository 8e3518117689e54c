"""Plaid's endpoints the sandbox serves (all POST, JSON in and out)."""

from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g

from devstack.sandbox_plaid import hooks
from devstack.sandbox_plaid.errors import PlaidApiError, error_object
from devstack.sandbox_plaid.gate import answer, body
from devstack.sandbox_plaid.items import ItemState
from devstack.sandbox_plaid.world import plaid_id

if TYPE_CHECKING:
    from devstack.sandbox_plaid.app import PlaidSandbox

# What /sandbox/item/fire_webhook can send here, and the product each needs.
FIREABLE = {
    "SYNC_UPDATES_AVAILABLE": "transactions",
    "DEFAULT_UPDATE": "transactions",
    "NEW_ACCOUNTS_AVAILABLE": None,
    "LOGIN_REPAIRED": None,
    "PENDING_DISCONNECT": None,
    "PENDING_EXPIRATION": None,
    "ERROR": None,
}


def register(app: Flask, sandbox: "PlaidSandbox") -> None:
    def item() -> ItemState:
        found = sandbox.item_for(body().get("access_token"))
        g.item_id = found.item_id
        return found

    def usable() -> ItemState:
        found = item()
        if found.error is not None:
            raise PlaidApiError(found.error)
        return found

    def accounts(found: ItemState) -> list[dict[str, Any]]:
        wanted = (body().get("options") or {}).get("account_ids")
        rows = []
        for spec in found.accounts:
            if wanted and spec.account_id not in wanted:
                continue
            current, available = found.balances(spec.account_id)
            rows.append(
                {
                    "account_id": spec.account_id,
                    "balances": {
                        "available": available,
                        "current": current,
                        "limit": None,
                        "iso_currency_code": spec.currency,
                        "unofficial_currency_code": None,
                    },
                    "mask": spec.mask,
                    "name": spec.name,
                    "official_name": spec.official_name,
                    "type": spec.type,
                    "subtype": spec.subtype,
                }
            )
        return rows

    def item_object(found: ItemState) -> dict[str, Any]:
        expires = found.consent_expires_at
        return {
            "item_id": found.item_id,
            "institution_id": sandbox.world.institution_id,
            "institution_name": sandbox.world.institution_name,
            "webhook": found.webhook,
            "error": error_object(found.error, None) if found.error else None,
            "available_products": ["balance"],
            "billed_products": list(found.products),
            "products": list(found.products),
            "consent_expiration_time": hooks.iso(expires) if expires else None,
            "update_type": "background",
        }

    @app.post("/link/token/create")
    def link_token_create() -> Response:
        request = body()
        missing = [
            f for f in ("client_name", "language", "country_codes", "user") if not request.get(f)
        ]
        if missing:
            raise PlaidApiError("MISSING_FIELDS", fields=", ".join(missing))
        updating = (
            sandbox.item_for(request["access_token"]) if request.get("access_token") else None
        )
        if updating is None and not request.get("products"):
            raise PlaidApiError("MISSING_FIELDS", fields="products")
        now = sandbox.clock()
        token = (
            f"link-sandbox-{plaid_id('link', str(len(sandbox.link_tokens)), str(now), length=36)}"
        )
        expires = now + sandbox.world.link_token_ttl
        sandbox.link_tokens[token] = {
            "products": request.get("products") or (updating.products if updating else []),
            "webhook": request.get("webhook"),
            "item_id": updating.item_id if updating else None,
            "expires_at": expires,
        }
        return answer({"link_token": token, "expiration": hooks.iso(expires)})

    @app.post("/sandbox/public_token/create")
    def public_token_create() -> Response:
        request = body()
        if not request.get("institution_id") or not request.get("initial_products"):
            raise PlaidApiError("MISSING_FIELDS", fields="institution_id, initial_products")
        products = tuple(request["initial_products"])
        webhook = (request.get("options") or {}).get("webhook")
        return answer({"public_token": sandbox.link_item(webhook, products=products)})

    @app.post("/item/public_token/exchange")
    def public_token_exchange() -> Response:
        token = body().get("public_token")
        if not token:
            raise PlaidApiError("MISSING_FIELDS", fields="public_token")
        with sandbox.lock:
            minted = sandbox.public_tokens.pop(token, None)
        if minted is None or minted[1] <= sandbox.clock():
            raise PlaidApiError("INVALID_PUBLIC_TOKEN")
        found = sandbox.items[minted[0]]
        g.item_id = found.item_id
        return answer({"access_token": found.access_token, "item_id": found.item_id})

    @app.post("/item/get")
    def item_get() -> Response:
        found = item()
        last = found.last_webhook
        status = {
            "transactions": {
                "last_successful_update": hooks.iso(found.last_extraction)
                if found.last_extraction
                else None,
                "last_failed_update": None,
            }
        }
        if last is not None:
            status["last_webhook"] = {"sent_at": hooks.iso(last[1]), "code_sent": last[0]}
        return answer({"item": item_object(found), "status": status})

    @app.post("/accounts/get")
    def accounts_get() -> Response:
        found = usable()
        return answer({"accounts": accounts(found), "item": item_object(found)})

    @app.post("/accounts/balance/get")
    def balance_get() -> Response:
        found = usable()
        return answer({"accounts": accounts(found), "item": item_object(found)})

    @app.post("/transactions/sync")
    def transactions_sync() -> Response:
        found = usable()
        if "transactions" not in found.products:
            found.products.append("transactions")  # Plaid adds the product on first call
        request = body()
        count = request.get("count", sandbox.world.sync_count_default)
        if not isinstance(count, int) or not 1 <= count <= sandbox.world.sync_count_max:
            raise PlaidApiError(
                "INVALID_FIELD", detail=f"count must be 1 to {sandbox.world.sync_count_max}"
            )
        cursor = request.get("cursor") or ""
        if not isinstance(cursor, str):
            raise PlaidApiError("INVALID_FIELD", detail="cursor must be a string")
        with sandbox.lock:
            page = found.ledger.page(cursor, count)
            found.synced_once = True
        return answer(
            {
                "transactions_update_status": "HISTORICAL_UPDATE_COMPLETE",
                "accounts": accounts(found),
                "added": page.added,
                "modified": page.modified,
                "removed": page.removed,
                "next_cursor": page.next_cursor,
                "has_more": page.has_more,
            }
        )

    @app.post("/transactions/refresh")
    def transactions_refresh() -> Response:
        if "transactions_refresh" not in sandbox.world.client_products:
            raise PlaidApiError("INVALID_PRODUCT", products='["transactions_refresh"]')
        found = usable()
        sandbox.extract(found, sandbox.clock())
        return answer({})

    @app.post("/sandbox/item/reset_login")
    def reset_login() -> Response:
        found = item()
        found.error = "ITEM_LOGIN_REQUIRED"
        if sandbox.world.reset_login_webhook:
            sandbox.send(found, hooks.item_error(found, "ITEM_LOGIN_REQUIRED"))
        return answer({"reset_login": True})

    @app.post("/sandbox/item/fire_webhook")
    def fire_webhook() -> Response:
        found = item()
        code = body().get("webhook_code")
        if code not in FIREABLE:
            raise PlaidApiError(
                "INVALID_FIELD", detail=f"webhook_code must be one of {sorted(FIREABLE)}"
            )
        product = FIREABLE[code]
        if product and product not in found.products:
            raise PlaidApiError("SANDBOX_PRODUCT_NOT_ENABLED", product=product)
        if not found.webhook:
            raise PlaidApiError("SANDBOX_WEBHOOK_INVALID")
        payload = {
            "SYNC_UPDATES_AVAILABLE": lambda: hooks.sync_updates_available(found),
            "DEFAULT_UPDATE": lambda: hooks.default_update(found, 0),
            "NEW_ACCOUNTS_AVAILABLE": lambda: hooks.new_accounts_available(found),
            "LOGIN_REPAIRED": lambda: hooks.login_repaired(found),
            "PENDING_DISCONNECT": lambda: hooks.pending_disconnect(found),
            "PENDING_EXPIRATION": lambda: hooks.pending_expiration(found),
            "ERROR": lambda: hooks.item_error(found, "ITEM_LOGIN_REQUIRED"),
        }[code]()
        if code == "PENDING_EXPIRATION" and found.consent_expires_at is None:
            found.consent_expires_at = sandbox.clock() + 7 * 86_400
            payload = hooks.pending_expiration(found)
        sandbox.send(found, payload)
        return answer({"webhook_fired": True})

    @app.post("/webhook_verification_key/get")
    def verification_key() -> Response:
        kid = body().get("key_id")
        if not kid:
            raise PlaidApiError("MISSING_FIELDS", fields="key_id")
        key = sandbox.keys.keys.get(kid)
        if key is None:
            raise PlaidApiError("INVALID_WEBHOOK_VERIFICATION_KEY_ID")
        return answer({"key": key.jwk()})
