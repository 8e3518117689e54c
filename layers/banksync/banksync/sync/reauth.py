"""A provider's account webhooks: re-authorisation asked for and done, accounts linked.

A refresh that ends ``reauth_required`` marks the account, and scheduled
refreshes skip it (no hammering a bank that will only refuse); a provider's
webhook may mark it too. The provider's webhook saying the customer
re-authorised (for a customer at a bank, or for one account) lifts the mark.
A webhook saying a customer linked an account registers it. Each reaches this
logic from the EventsTable's stream once stored.
"""

from typing import Any

from banksync.bankdata.store import BankDataStore
from banksync.observability import logger
from banksync.provider.announcements import AccountLinked, ReauthNeeded, Reauthorised
from banksync.provider.model import ProviderAccount
from banksync.provider.names import ProviderName, provider_of
from banksync.provider_registry import webhook_reader


class ReauthListener:
    def __init__(self, bank: BankDataStore) -> None:
        self.bank = bank

    def on_event(self, event: dict[str, Any]) -> list[str]:
        """Act on the stored webhook ``event``; returns the accounts whose mark it
        lifted or set, or that it registered."""
        provider = provider_of(event)
        webhooks = webhook_reader(provider)
        done = webhooks.reauthorisation(event)
        if done is not None:
            return self._lift(done)
        needed = webhooks.reauth_needed(event)
        if needed is not None:
            return self._hold(needed)
        linked = webhooks.account_linked(event)
        if linked is not None:
            return self._register(linked, provider)
        return []

    def _hold(self, needed: ReauthNeeded) -> list[str]:
        marked = self.bank.mark_reauth_required(
            needed.account_id, needed.reason, needed.at, as_of=needed.at
        )
        return [needed.account_id] if marked else []

    def _register(self, linked: AccountLinked, provider: ProviderName) -> list[str]:
        # What the webhook does not say (bank, number, currency) the first refresh of
        # the account or an operator's registration fills in.
        account = ProviderAccount(linked.account_id, linked.customer_id or "", "", "", "", "", "")
        registered = self.bank.register_new_account(account, linked.at, provider)
        return [linked.account_id] if registered else []

    def _lift(self, done: Reauthorised) -> list[str]:
        if done.account_id:
            return self.bank.clear_reauth_of([done.account_id], done.at, done.record_id)
        customer, bank = done.customer_id, done.bank_id
        if not customer or not bank:
            logger.warning("auth success without customer or bank", extra={"event": done.event_id})
            return []
        cleared = self.bank.clear_reauth(customer, bank, done.at, done.record_id)
        if cleared:
            logger.info("re-authorised", extra={"customer_id": customer, "accounts": cleared})
        return cleared
