"""Subscribers are told which provider a notification's data came from, and a pushed
update of one provider never notifies another provider's subscription."""

import pytest

from banksync.delivery.notifications import notification
from banksync.delivery.pushed import covers, pushed_notification
from banksync.push.updates import PushedUpdate
from banksync.refresh.model import ItemStatus, RefreshItem
from banksync.subscriptions.models import Subscription

AT = "2026-12-07T10:00:00.000Z"


def subscription(provider: str) -> Subscription:
    return Subscription(
        "sub_1",
        "cust-1",
        ["balance"],
        "daily",
        AT,
        AT,
        provider=provider,  # type: ignore[arg-type]
    )


def update(provider: str) -> PushedUpdate:
    return PushedUpdate(
        "rec-1",
        "balance",
        "evt-1",
        AT,
        AT,
        customer_id="cust-1",
        provider=provider,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("provider", ["okra", "mono"])
def test_notifications_name_the_provider(provider: str) -> None:
    item = RefreshItem("rf_1", "acct-1", "balance", status=ItemStatus.SUCCEEDED)
    assert notification(item, subscription(provider), AT)["data"]["provider"] == provider
    pushed = pushed_notification(update(provider), subscription(provider), AT)
    assert pushed["data"]["provider"] == provider


def test_a_pushed_update_covers_only_its_own_provider_s_subscription() -> None:
    assert covers(subscription("mono"), update("mono"))
    assert not covers(subscription("okra"), update("mono"))
    assert not covers(subscription("mono"), update("okra"))
