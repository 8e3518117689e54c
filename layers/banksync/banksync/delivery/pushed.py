"""A pushed update as subscribers are told of it: the shape of a refresh's notification;
and any notification made thin."""

from typing import Any
from urllib.parse import quote

from banksync.identifiers import ALL_BANKS
from banksync.push.updates import PushedUpdate
from banksync.subscriptions.models import Subscription


def covers(subscription: Subscription, update: PushedUpdate) -> bool:
    """Whether ``subscription`` wants this update: active, same provider, same bank (or
    all), its product."""
    if subscription.state != "active" or update.product not in subscription.products:
        return False
    if subscription.provider != update.provider:
        return False  # a customer id at one provider says nothing of another's
    bank = subscription.bank
    return not bank or bank == ALL_BANKS or bank.lower() == (update.bank_id or "").lower()


def pushed_notification(
    update: PushedUpdate, subscription: Subscription, at: str
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "subscription_id": subscription.subscription_id,
        "provider": update.provider,
        "update_id": update.update_id,
        "source": "provider",
        "customer": update.customer_id,
        "account_id": update.account_id,
        "bank": subscription.bank or update.bank_id,
        "product": update.product,
        "record": update.record_id,
        "status": update.status,
        "as_of": update.as_of,
        "finished_at": update.finished_at,
    }
    if update.balance is not None:
        data["balance"] = update.balance
    if update.new_transactions is not None:
        data["transactions"] = {
            "new": update.new_transactions,
            "updated": update.updated_transactions,
        }
    return {
        "type": f"{update.product}.{update.status}",
        "timestamp": at,
        "data": {key: value for key, value in data.items() if value is not None},
    }


# What a thin notification keeps: identifiers and the outcome, never bank data.
THIN_FIELDS = (
    "subscription_id",
    "refresh_id",
    "update_id",
    "source",
    "customer",
    "account_id",
    "bank",
    "product",
    "record",
    "status",
    "reason",
    "started_at",
    "finished_at",
    "as_of",
)
RESOURCES = {"balance": "balances", "transactions": "transactions"}


def thin(body: dict[str, Any]) -> dict[str, Any]:
    """The notification without its data: the event's ids and the resource to fetch
    (a path under the API's base URL, the ``ApiUrl`` output), for subscribers that
    want no bank data in transit."""
    data = body["data"]
    kept = {name: data[name] for name in THIN_FIELDS if name in data}
    account, product = data.get("account_id"), data.get("product")
    if data.get("status") == "succeeded" and account and product in RESOURCES:
        kept["resource_url"] = f"/accounts/{quote(str(account), safe='')}/{RESOURCES[product]}"
    elif data.get("refresh_id"):
        kept["resource_url"] = f"/refreshes/{quote(str(data['refresh_id']), safe='')}"
    return {**body, "data": kept}
