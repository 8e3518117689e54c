"""EventsTable stream → each data announcement becomes at most one callback fetch.

The template's filter lets only data webhooks through (other webhooks cost no
invocation). For each one:

- ``TRANSACTIONS_DELETED`` applies its removals at once: no provider call;
- a webhook for a record that one of banksync's own refreshes started wakes
  that refresh (``refresh.wake``), which fetches the record itself: never a
  second fetch;
- ``new_transactions: 0`` only records that the account is fresh: no call;
- anything else claims a pushed update (de-duplicated per record and product)
  and queues its fetch, which the fetcher makes through the provider budget.
"""

from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from banksync.bankdata.store import BankDataStore
from banksync.clock import Clock, iso, utc_now
from banksync.observability import logger
from banksync.provider.announcements import Announcement
from banksync.provider.names import ProviderName, provider_of
from banksync.provider_registry import webhook_reader
from banksync.push.queue import PushQueue
from banksync.push.settings import PushSettings
from banksync.push.updates import PushedUpdate, PushedUpdateStore
from banksync.refresh.model import ItemStatus, RefreshItem
from banksync.refresh.runs import RefreshRunStore
from banksync.refresh.wake import WakeSignals


class PushListener:
    def __init__(
        self,
        updates: PushedUpdateStore,
        runs: RefreshRunStore,
        bank: BankDataStore,
        queue: PushQueue,
        settings: PushSettings,
        wake: WakeSignals,
        sfn: Any,
        clock: Clock = utc_now,
    ) -> None:
        self.updates, self.runs, self.bank, self.queue = updates, runs, bank, queue
        self.settings, self.wake, self.sfn, self.clock = settings, wake, sfn, clock

    def on_event(self, event: dict[str, Any]) -> str:
        """What the stored webhook ``event`` led to (logged, and told to tests); for a
        webhook about several products, what each led to, in order."""
        provider = provider_of(event)
        news = webhook_reader(provider).announcements(event)
        return ",".join(self._on_news(each, provider) for each in news) or "ignored"

    def _on_news(self, webhook: Announcement, provider: ProviderName) -> str:
        if webhook.deletion:
            return self._remove(webhook)
        if not webhook.record_id:
            logger.warning("data webhook without a record", extra={"event_id": webhook.event_id})
            return "ignored"
        own = self._own_items(webhook.record_id)
        if own:
            self._wake(own)
            return "own_refresh"
        if webhook.nothing_new:
            return self._nothing_new(webhook)
        return self._queue(webhook, webhook.record_id, provider)

    def _own_items(self, record_id: str) -> list[RefreshItem]:
        """banksync's own items for this record that are open, or finished so recently
        that this webhook announces the data they fetched; an older record of the same
        id is the provider's own refresh of it (some providers reuse record ids)."""
        since = iso(self.clock() - timedelta(seconds=self.settings.duplicate_window_seconds))
        return [
            item
            for item in self.runs.items_for_record(record_id)
            if not item.status.terminal or (item.finished_at or "") >= since
        ]

    def _wake(self, items: list[RefreshItem]) -> None:
        """Tell the refreshes parked on these items that the provider has their data."""
        at = iso(self.clock())
        self.wake.record_hit(at)
        for item in items:
            if item.status is not ItemStatus.STARTED:
                continue  # finished already: a late or repeated webhook changes nothing
            token = self.wake.announce(item.refresh_id, item.key, at)
            if token is None:
                continue  # not parked yet: the park sees the mark and polls at once
            try:
                self.sfn.send_task_success(taskToken=token, output='{"woken": true}')
            except ClientError as error:
                code = error.response["Error"]["Code"]
                if code not in SPENT_TOKEN_ERRORS:
                    raise  # not a late wake: the stream retries, and it shows
                # The park timed out meanwhile and is polling anyway.
                logger.info("wake too late", extra={"code": code})
            logger.info("refresh woken", extra={"refresh_id": item.refresh_id})

    def _queue(self, webhook: Announcement, record_id: str, provider: ProviderName) -> str:
        now = self.clock()
        update = PushedUpdate(
            record_id=record_id,
            product=webhook.product,
            event_id=webhook.event_id,
            created_at=iso(now),
            as_of=webhook.as_of or iso(now),
            callback_url=webhook.callback_url,
            customer_id=webhook.customer_id,
            bank_id=webhook.bank_id,
            account_id=webhook.account_id,
            provider=provider,
        )
        window_start = iso(now - timedelta(seconds=self.settings.duplicate_window_seconds))
        # A fetch still queued well past its deadline was lost (its message dead-lettered).
        stuck = iso(now - timedelta(seconds=2 * self.settings.deadline_seconds))
        if not self.updates.claim(update, window_start, stuck):
            existing = self.updates.get(record_id, webhook.product)
            if existing is None or existing.terminal or existing.event_id != webhook.event_id:
                return "duplicate"
            # The same webhook again (a retried stream record): its first send may
            # have been lost, and the fetcher ignores a second one.
        self.queue.send(record_id, webhook.product)
        logger.info("pushed update queued", extra={"record_id": record_id, **_ids(webhook)})
        return "queued"

    def _nothing_new(self, webhook: Announcement) -> str:
        """The provider's refresh of a record found no new rows. A record is one
        connection (a customer at a bank), so when the webhook names no account,
        every account of that connection is as fresh as the provider says."""
        accounts = self._accounts(webhook, connection_only=True)
        for account_id in accounts:
            self.bank.freshness.mark_synced(account_id, "transactions", webhook.as_of, pushed=True)
        return "fresh" if accounts else "nothing_new"

    def _remove(self, webhook: Announcement) -> str:
        removed = []
        for account_id in self._accounts(webhook):
            removed += self.bank.removals.remove(
                account_id, webhook.removed_transactions, webhook.as_of, webhook.record_id
            )
        logger.info("transactions removed", extra={"removed": len(removed), **_ids(webhook)})
        return "removed"

    def _accounts(self, webhook: Announcement, connection_only: bool = False) -> list[str]:
        """The accounts the webhook may be about: the one it names, the one an earlier
        update of its record was about, or the customer's accounts at its bank (at
        any bank if it names none, unless ``connection_only``)."""
        if webhook.account_id:
            return [webhook.account_id]
        if webhook.record_id:
            for product in ("transactions", "balance"):
                earlier = self.updates.get(webhook.record_id, product)
                if earlier is not None and earlier.account_id:
                    return [earlier.account_id]
        if not webhook.customer_id or (connection_only and not webhook.bank_id):
            return []
        found = self.bank.customer_accounts(webhook.customer_id, webhook.bank_id)
        return [str(account["account_id"]) for account in found]


# What SendTaskSuccess answers for a token whose park already ended.
SPENT_TOKEN_ERRORS = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})


def _ids(webhook: Announcement) -> dict[str, str]:
    return {"code": webhook.code, "event_id": webhook.event_id}


def build_listener(settings: PushSettings, client: Any, sqs: Any, sfn: Any) -> PushListener:
    table = settings.data_table_name
    return PushListener(
        PushedUpdateStore(table, client),
        RefreshRunStore(table, client),
        BankDataStore(table, client),
        PushQueue(settings.push_queue_url, sqs),
        settings,
        WakeSignals(table, client),
        sfn,
    )
