"""Re-authorisation done: the provider's webhook saying so lifts the account's refresh hold.

A refresh that ends ``reauth_required`` marks the account, and scheduled
refreshes skip it (no hammering a bank that will only refuse). The provider's
webhook for that customer and bank (Okra's ``AUTH_SUCCESS``), once stored in
the EventsTable, reaches this logic through the table's stream.
"""

from typing import Any

from banksync.bankdata.store import BankDataStore
from banksync.observability import logger
from banksync.provider_registry import webhook_reader


class ReauthListener:
    def __init__(self, bank: BankDataStore) -> None:
        self.bank = bank

    def on_event(self, event: dict[str, Any]) -> list[str]:
        """Clear the marks the stored webhook ``event`` lifts; returns the accounts cleared."""
        done = webhook_reader().reauthorisation(event)
        if done is None:
            return []
        customer, bank = done.customer_id, done.bank_id
        if not customer or not bank:
            logger.warning("auth success without customer or bank", extra={"event": done.event_id})
            return []
        cleared = self.bank.clear_reauth(customer, bank, done.at, done.record_id)
        if cleared:
            logger.info("re-authorised", extra={"customer_id": customer, "accounts": cleared})
        return cleared
