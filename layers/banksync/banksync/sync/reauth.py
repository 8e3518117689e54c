"""Re-authorisation done: an AUTH success webhook lifts the account's refresh hold.

A refresh that ends ``reauth_required`` marks the account, and scheduled
refreshes skip it (no hammering a bank that will only refuse). The provider's
``AUTH``/``AUTH_SUCCESS`` webhook for that customer and bank, once stored in
the EventsTable, reaches this logic through the table's stream.
"""

from typing import Any

from banksync.bankdata.store import BankDataStore
from banksync.observability import logger


class ReauthListener:
    def __init__(self, bank: BankDataStore) -> None:
        self.bank = bank

    def on_event(self, event: dict[str, Any]) -> list[str]:
        """Clear the marks the stored webhook ``event`` lifts; returns the accounts cleared."""
        if event.get("event_type") != "AUTH" or event.get("code") != "AUTH_SUCCESS":
            return []
        customer, bank = event.get("customer_id"), event.get("bank_id")
        if not customer or not bank:
            logger.warning(
                "auth success without customer or bank", extra={"event": event.get("event_id")}
            )
            return []
        cleared = self.bank.clear_reauth(
            customer, bank, str(event.get("received_at") or ""), str(event.get("record_id") or "")
        )
        if cleared:
            logger.info("re-authorised", extra={"customer_id": customer, "accounts": cleared})
        return cleared
