import pytest

from banksync.subscriptions.intervals import MINUTES, flexible_window_minutes, rate_expression
from banksync.subscriptions.models import subscription_id_for
from banksync.subscriptions.webhook_urls import webhook_url_problem

DNS = {
    "hooks.example.com": ["93.184.216.34"],
    "internal.example.com": ["10.0.0.7"],
    "sneaky.example.com": ["93.184.216.34", "127.0.0.1"],
    "metadata.example.com": ["169.254.169.254"],
    "v6.example.com": ["2606:4700::6810:85e5"],
    "ula.example.com": ["fd00::1"],
    "localhost": ["127.0.0.1", "::1"],
}


def resolve(host: str) -> list[str]:
    if host in DNS:
        return DNS[host]
    if host.replace(".", "").isdigit() or ":" in host:
        return [host]
    raise OSError("no such host")


@pytest.mark.parametrize(
    ("interval", "expression", "window"),
    [
        ("one_minute", "rate(1 minute)", 0),
        ("five_minute", "rate(5 minutes)", 1),
        ("fifteen_minute", "rate(15 minutes)", 3),
        ("thirty_minute", "rate(30 minutes)", 7),
        ("one_hour", "rate(1 hour)", 15),
        ("six_hours", "rate(6 hours)", 60),
        ("twelve_hours", "rate(12 hours)", 60),
        ("daily", "rate(1 day)", 60),
    ],
)
def test_every_interval_maps_to_a_rate_expression(
    interval: str, expression: str, window: int
) -> None:
    assert rate_expression(interval) == expression
    assert flexible_window_minutes(interval) == window
    assert window < MINUTES[interval] or window == 0


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://hooks.example.com/okra", None),
        ("https://v6.example.com/", None),
        ("http://hooks.example.com/okra", "must use https"),
        ("ftp://hooks.example.com/", "must use https"),
        ("https://internal.example.com/", "non-public"),
        ("https://sneaky.example.com/", "non-public"),
        ("https://metadata.example.com/", "non-public"),
        ("https://169.254.169.254/latest/meta-data", "non-public"),
        ("https://127.0.0.1/", "non-public"),
        ("https://[::1]/", "non-public"),
        ("https://ula.example.com/", "non-public"),
        ("https://192.168.1.1/", "non-public"),
        ("https://[64:ff9b::a9fe:a9fe]/", "non-public"),
        ("https://[::ffff:10.0.0.1]/", "non-public"),
        ("https://[::127.0.0.1]/", "non-public"),
        ("https://[2002:a00:1::]/", "non-public"),
        ("https://[64:ff9b::5db8:d822]/", None),
        ("https://nowhere.example.com/", "does not resolve"),
        ("https://user:pw@hooks.example.com/", "credentials"),
        ("not a url", "absolute"),
    ],
)
def test_webhook_urls_must_be_public_https(url: str, problem: str | None) -> None:
    found = webhook_url_problem(url, resolve=resolve)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_loopback_http_only_when_the_offline_stack_allows_it() -> None:
    assert webhook_url_problem("http://localhost:8080/hook", True, resolve) is None
    assert webhook_url_problem("http://localhost:8080/hook", False, resolve) == "must use https"
    assert webhook_url_problem("http://10.0.0.7/", True, resolve) is not None


def test_one_subscription_per_customer_and_bank() -> None:
    assert subscription_id_for("c", None) == subscription_id_for("c", None)
    assert subscription_id_for("c", None) != subscription_id_for("c", "b")
    assert subscription_id_for("c", "b") != subscription_id_for("c2", "b")
    assert len(subscription_id_for("c", "b")) <= 64
