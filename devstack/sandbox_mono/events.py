"""The webhooks Mono POSTs to a business, shaped as its documentation's examples.

Webhook payloads spell an account's fields in camelCase and its id ``_id``, where
API answers use snake_case and ``id``. ``event_id`` and ``timestamp`` are on
``account_connected``, ``account_updated`` and ``account_reauthorized`` (the
changelog of January 2026), not on ``mono.accounts.jobs.update``.
"""

import hashlib
from typing import Any

from devstack.sandbox_mono.bank import AccountState
from devstack.sandbox_mono.envelope import iso

CONNECTED = "mono.events.account_connected"
UPDATED = "mono.events.account_updated"
REAUTHORIZED = "mono.events.account_reauthorized"
JOBS_UPDATE = "mono.accounts.jobs.update"


class EventFactory:
    def __init__(self, app_id: str, business_id: str) -> None:
        self.app_id = app_id
        self.business_id = business_id
        self._made = 0

    def _audited(self, event: str, at: float, data: dict[str, Any]) -> dict[str, Any]:
        self._made += 1
        seed = f"{event}/{self._made}/{at}".encode()
        event_id = hashlib.sha256(seed).hexdigest()[:38]
        return {"event": event, "event_id": event_id, "timestamp": iso(at), "data": data}

    def account_connected(self, state: AccountState, at: float) -> dict[str, Any]:
        meta: dict[str, Any] = {"data_status": state.data_status}
        meta["auth_method"] = state.spec.auth_method
        if state.ref is not None:
            meta["ref"] = state.ref
        data = {"id": state.account_id, "customer": state.spec.customer_id, "meta": meta}
        return self._audited(CONNECTED, at, {**data, **self._owner()})

    def account_updated(
        self,
        state: AccountState,
        at: float,
        sync_status: str | None = None,
        job_id: str | None = None,
        has_new_data: bool = False,
    ) -> dict[str, Any]:
        """``sync_status`` and ``job_id`` after a sync job; ``has_new_data`` only when
        true ("when has_new_data is not returned, … new data is not available")."""
        meta: dict[str, Any] = {"data_status": state.data_status}
        meta["auth_method"] = state.spec.auth_method
        if state.ref is not None:
            meta["ref"] = state.ref
        if sync_status is not None:
            meta["sync_status"] = sync_status
        if job_id is not None:
            meta["job_id"] = job_id
        if has_new_data:
            meta["has_new_data"] = True
        meta["retrieved_data"] = (
            [] if sync_status == "REAUTHORISATION_REQUIRED" else [*state.retrieved_data]
        )
        return self._audited(UPDATED, at, {"account": self._account(state), "meta": meta})

    def account_reauthorized(self, state: AccountState, at: float) -> dict[str, Any]:
        data = {"account": {"_id": state.account_id}, **self._owner()}
        return self._audited(REAUTHORIZED, at, data)

    def jobs_update(self, job_id: str, account_id: str, name: str, status: str) -> dict[str, Any]:
        data = {"account": account_id, **self._owner(), "id": job_id, "name": name}
        return {"event": JOBS_UPDATE, "data": {**data, "status": status}}

    def _owner(self) -> dict[str, str]:
        return {"app": self.app_id, "business": self.business_id}

    def _account(self, state: AccountState) -> dict[str, Any]:
        spec = state.spec
        return {
            "_id": spec.account_id,
            "name": spec.name,
            "accountNumber": spec.account_number,
            "currency": spec.currency,
            "balance": state.balance(),
            "type": spec.type,
            "bvn": spec.bvn_last4,
            "authMethod": spec.auth_method,
            "institution": {
                "name": spec.institution,
                "bankCode": spec.bank_code,
                "type": "PERSONAL_BANKING",
            },
            "created_at": iso(state.linked_at),
            "updated_at": iso(state.updated_at),
        }
