"""How the subscriptions' and deliveries' routes are described: their decorators' arguments.

Each constant is what one route's decorator takes (``@router.get(path, **GET_SUBSCRIPTION)``);
``ROUTES`` names them by (METHOD, path) for the generator.
"""

from typing import Any

from banksync.api import described as d
from banksync.api.params import KEY_HEADER_VALUE
from banksync.api.subscription_answers import (
    MAX_OVERLAP_HOURS,
    DeliveryDetail,
    DeliveryPage,
    EmptyBody,
    RecoverAccepted,
    RecoverBody,
    RetryAccepted,
    RotateSecretBody,
    SecretRotated,
    SubscriptionPage,
    SubscriptionSaved,
    SubscriptionView,
)
from banksync.subscriptions.body import SubscriptionBody
from banksync.subscriptions.models import WEBHOOK_STATES

DEFAULT_PAGE, MAX_PAGE = 25, 100
DELIVERY_STATUSES = ["pending", "delivered", "abandoned", "stopped"]
SUBSCRIPTIONS, DELIVERIES = ["subscriptions"], ["deliveries"]
SUBSCRIPTION_ID = d.path("subscription_id", "sub_…, as POST /subscriptions answered")
DELIVERY_ID = d.path("delivery_id", "a delivery's id (its webhook-id header)")
NO_SUBSCRIPTION = {404: "not_found: no subscription with this id"}
UNAVAILABLE = {503: "unavailable: it could not be saved or queued; retry"}
PAGING = (
    d.query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": DEFAULT_PAGE},
        "page size",
    ),
    d.next_token(),
)
KEY = d.header(
    "Idempotency-Key",
    {"type": "string", "pattern": f"^{KEY_HEADER_VALUE.pattern}$"},
    "1 to 255 visible ASCII characters; retries with it queue once",
)
IN_PROGRESS = {
    409: "request_in_progress: a request with this Idempotency-Key has not finished",
    422: "idempotency_key_reused: this Idempotency-Key came with another body",
}


def _state_change(verb: str, operation_id: str, extra: str) -> dict[str, Any]:
    return {
        "summary": f"{verb} a subscription",
        "description": extra,
        "tags": SUBSCRIPTIONS,
        "operation_id": operation_id,
        "responses": d.answers(
            {200: (SubscriptionView, "the subscription as it is now")},
            {
                **NO_SUBSCRIPTION,
                409: "conflict: the subscription changed meanwhile; read it and retry",
                **UNAVAILABLE,
            },
        ),
        "openapi_extensions": d.parameters(SUBSCRIPTION_ID),
    }


PUT_SUBSCRIPTION: dict[str, Any] = {
    "summary": "Create or replace a customer's data-sync subscription",
    "description": "The data-sync payload: one subscription per (provider, customer, bank), "
    "its id derived from them, so a repeat replaces it. A subscription with a webhook_url "
    "is answered with its signing secret once, when created.",
    "tags": SUBSCRIPTIONS,
    "operation_id": "putSubscription",
    "responses": d.answers(
        {
            201: (SubscriptionSaved, "created"),
            200: (SubscriptionSaved, "replaced"),
        },
        {
            409: "conflict: another subscription of this customer covers these banks, or it "
            "changed meanwhile",
            422: "provider_off: the provider named is not switched on in this stack",
            **UNAVAILABLE,
        },
        body=True,
    ),
    "openapi_extensions": d.json_body(SubscriptionBody),
}
LIST_SUBSCRIPTIONS: dict[str, Any] = {
    "summary": "List subscriptions, newest first",
    "description": "Order: newest first (created_at, then subscription_id, descending; "
    "a replace keeps its place); with customer, that customer's subscriptions by bank id.",
    "tags": SUBSCRIPTIONS,
    "operation_id": "listSubscriptions",
    "responses": d.answers({200: (SubscriptionPage, "one page of subscriptions")}, {}),
    "openapi_extensions": d.parameters(
        d.identifier_query("customer", "only this customer's"),
        d.query("webhook_state", {"type": "string", "enum": list(WEBHOOK_STATES)}, "only these"),
        *PAGING,
    ),
}
GET_SUBSCRIPTION: dict[str, Any] = {
    "summary": "A subscription",
    "tags": SUBSCRIPTIONS,
    "operation_id": "getSubscription",
    "responses": d.answers({200: (SubscriptionView, "the subscription")}, NO_SUBSCRIPTION),
    "openapi_extensions": d.parameters(SUBSCRIPTION_ID),
}
PAUSE_SUBSCRIPTION = _state_change(
    "Pause",
    "pauseSubscription",
    "No refresh is scheduled and no webhook sent until resumed: its pending deliveries "
    "end abandoned (reason: the subscription was paused), as do notifications made "
    "meanwhile; after resuming, recover sends them.",
)
RESUME_SUBSCRIPTION = _state_change(
    "Resume", "resumeSubscription", "Also turns a disabled or failing webhook back on."
)
DELETE_SUBSCRIPTION: dict[str, Any] = {
    "summary": "Delete a subscription and its schedule",
    "description": "Its pending deliveries end abandoned (reason: the subscription was "
    "deleted); its deliveries stay readable by id.",
    "tags": SUBSCRIPTIONS,
    "operation_id": "deleteSubscription",
    "responses": d.answers({204: (None, "deleted")}, {**NO_SUBSCRIPTION, **UNAVAILABLE}),
    "openapi_extensions": d.parameters(SUBSCRIPTION_ID),
}
LIST_DELIVERIES: dict[str, Any] = {
    "summary": "A subscription's webhook deliveries, newest first",
    "description": "Order: newest first (created_at, then delivery_id, descending; a "
    "replay keeps its place).",
    "tags": DELIVERIES,
    "operation_id": "listDeliveries",
    "responses": d.answers({200: (DeliveryPage, "one page of deliveries")}, NO_SUBSCRIPTION),
    "openapi_extensions": d.parameters(
        SUBSCRIPTION_ID,
        d.query("status", {"type": "string", "enum": DELIVERY_STATUSES}, "only these"),
        d.time_query("since", "only those created from then on"),
        *PAGING,
    ),
}
GET_DELIVERY: dict[str, Any] = {
    "summary": "A delivery: every attempt, and what it was about",
    "tags": DELIVERIES,
    "operation_id": "getDelivery",
    "responses": d.answers(
        {200: (DeliveryDetail, "the delivery")}, {404: "not_found: no delivery with this id"}
    ),
    "openapi_extensions": d.parameters(DELIVERY_ID),
}
RETRY_DELIVERY: dict[str, Any] = {
    "summary": "Send a delivery now: a finished one again, a pending one's next attempt",
    "description": "A finished delivery starts a new chain of attempts (chain + 1); a "
    "pending one's next attempt moves forward to now, in its chain, and replaying it "
    "again before that attempt changes nothing. Either goes to the subscription's "
    "current webhook_url with its current secrets. The body may be left out, or be {}.",
    "tags": DELIVERIES,
    "operation_id": "retryDelivery",
    "responses": d.answers(
        {202: (RetryAccepted, "queued; follow it at status_url (also the Location header)")},
        {
            404: "not_found: no delivery with this id",
            409: "too_many_attempts, conflict, no_webhook, subscription_paused or "
            "webhook_disabled: it cannot be sent now; "
            f"{IN_PROGRESS[409]}",
            422: IN_PROGRESS[422],
            429: "rate_limited: too many replays a minute for this subscription",
            **UNAVAILABLE,
        },
        body=True,
        located=True,
    ),
    "openapi_extensions": {
        **d.json_body(EmptyBody, required=False),
        **d.parameters(DELIVERY_ID, KEY),
    },
}
RECOVER_DELIVERIES: dict[str, Any] = {
    "summary": "Send a window's abandoned deliveries again",
    "tags": DELIVERIES,
    "operation_id": "recoverDeliveries",
    "responses": d.answers(
        {202: (RecoverAccepted, "queued; status_url lists the pending deliveries")},
        {
            **NO_SUBSCRIPTION,
            409: "no_webhook, subscription_paused or webhook_disabled: nothing can be sent; "
            f"{IN_PROGRESS[409]}",
            422: IN_PROGRESS[422],
            429: "rate_limited: too many replays a minute for this subscription",
            **UNAVAILABLE,
        },
        body=True,
        located=True,
    ),
    "openapi_extensions": {**d.json_body(RecoverBody), **d.parameters(SUBSCRIPTION_ID, KEY)},
}
ROTATE_SECRET: dict[str, Any] = {
    "summary": "Rotate a subscription's webhook signing secret",
    "description": "Answers the new secret once (Cache-Control: no-store); for overlap_hours "
    f"(0 to {MAX_OVERLAP_HOURS}) deliveries carry the previous secret's signature too. "
    "Not idempotent by key: a saved answer would keep the secret in plain text.",
    "tags": SUBSCRIPTIONS,
    "operation_id": "rotateSigningSecret",
    "responses": d.answers(
        {200: (SecretRotated, "the new secret")},
        {**NO_SUBSCRIPTION, 409: "conflict: it changed meanwhile; retry", **UNAVAILABLE},
        body=True,
    ),
    "openapi_extensions": {
        **d.json_body(RotateSecretBody, required=False),
        **d.parameters(SUBSCRIPTION_ID),
    },
}
ROUTES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/subscriptions"): PUT_SUBSCRIPTION,
    ("GET", "/subscriptions"): LIST_SUBSCRIPTIONS,
    ("GET", "/subscriptions/{subscription_id}"): GET_SUBSCRIPTION,
    ("POST", "/subscriptions/{subscription_id}/pause"): PAUSE_SUBSCRIPTION,
    ("POST", "/subscriptions/{subscription_id}/resume"): RESUME_SUBSCRIPTION,
    ("DELETE", "/subscriptions/{subscription_id}"): DELETE_SUBSCRIPTION,
    ("GET", "/subscriptions/{subscription_id}/deliveries"): LIST_DELIVERIES,
    ("GET", "/deliveries/{delivery_id}"): GET_DELIVERY,
    ("POST", "/deliveries/{delivery_id}/retry"): RETRY_DELIVERY,
    ("POST", "/subscriptions/{subscription_id}/recover"): RECOVER_DELIVERIES,
    ("POST", "/subscriptions/{subscription_id}/rotate-secret"): ROTATE_SECRET,
}
