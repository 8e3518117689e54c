"""What a Mono sandbox starts with, and the knobs the docs leave to it."""

from dataclasses import dataclass, field

from devstack.sandbox_mono.bank import MonoAccountSpec, object_id
from devstack.sandbox_mono.webhooks import RETRY_DELAYS

# The sandbox's own key, shaped like Mono's test keys; not a credential.
SANDBOX_SECRET_KEY = "test_sk_sandbox0000000000000"  # noqa: S105
EXCHANGE_ANSWERS = ("bare", "envelope")


@dataclass
class MonoWorld:
    # Accounts already linked when the sandbox starts, their data already retrieved.
    accounts: list[MonoAccountSpec] = field(default_factory=list)
    secret_keys: tuple[str, ...] = (SANDBOX_SECRET_KEY,)
    # Mono's business-wide limit is not published: the sandbox's, per minute.
    requests_per_minute: int = 60
    # Seconds from a real-time call to its job finishing (0: finished in the answer).
    realtime_delay: float = 20.0
    # One real-time job per account per this many seconds ("5-minute intervals").
    realtime_window: float = 300.0
    # Mono fetches a newly linked (or re-authorised) account "0.5 seconds to 5 minutes"
    # after linking; then it sends account_updated.
    link_data_delay: float = 5.0
    code_ttl: float = 600.0  # the widget's code expires after 10 minutes
    # Mono's own periodic sync of every linked account; no current page describes
    # one, so it is off unless asked for.
    auto_sync_seconds: float | None = None
    accounts_page_size: int = 10  # the documented list example: 40 accounts, 4 pages
    transactions_limit: int = 20  # a transactions page without ``limit``
    # The code exchange's answer: "bare" ``{"id"}`` (the integration guide's example)
    # or "envelope" (``data.id``, like every other v2 answer).
    exchange_answer: str = "bare"
    # True: ``meta.next`` of a transactions page is the documented link, which lacks
    # ``/accounts/`` and every filter but ``page``; False: a link that works.
    documented_next_link: bool = True
    retry_delays: tuple[float, ...] = RETRY_DELAYS
    app_id: str = field(default_factory=lambda: object_id("sandbox", "app"))
    business_id: str = field(default_factory=lambda: object_id("sandbox", "business"))

    def __post_init__(self) -> None:
        if self.exchange_answer not in EXCHANGE_ANSWERS:
            raise ValueError(f"exchange_answer must be one of {EXCHANGE_ANSWERS}")


def demo_mono_world(realtime_delay: float = 20.0) -> MonoWorld:
    """One sandbox customer with two linked accounts at two banks."""
    customer = object_id("demo", "mono-customer")
    return MonoWorld(
        accounts=[
            MonoAccountSpec(object_id("demo", "mono-1"), customer, new_transaction_every=3600),
            MonoAccountSpec(
                object_id("demo", "mono-2"),
                customer,
                name="SAMUEL OLAMIDE NOMO",
                institution="Kuda Bank",
                bank_code="090267",
                type="DIGITAL_SAVINGS_ACCOUNT",
                new_transaction_every=7200,
            ),
        ],
        realtime_delay=realtime_delay,
    )
