"""A pushed update's fetched data, stored as a refresh's is: exactly once, newer wins.

The provider's webhook names a customer and a bank but seldom the account;
the fetched data does, as the adapter reads it (``PushedRow``). An account
banksync has never seen is registered from what the data says of it, so the
stack learns accounts from the provider's push alone.
"""

from collections import defaultdict
from contextlib import suppress
from typing import Any

from banksync.bankdata.store import BankDataStore
from banksync.provider.model import ProviderAccount, as_product
from banksync.provider.records import AccountHints, PushedRow
from banksync.provider_registry import row_reader
from banksync.push.updates import PushedUpdate


def store_pushed_data(
    bank: BankDataStore, update: PushedUpdate, data: dict[str, Any], at: str
) -> None:
    """Store ``data`` and finish ``update``; LookupError when no account can be told."""
    rows = row_reader(update.provider)
    pushed = rows.pushed_rows(as_product(update.product), data)
    if update.product == "balance":
        balance = pushed[0]
        account_id = balance.account_id or _only_account(bank, update)
        _ensure_account(bank, update, account_id, balance.hints, at)
        bank.save_balance(account_id, balance.raw, update.as_of, at, update.provider)
        update.balance = rows.balance_summary(balance.raw)
        accounts = [account_id]
    else:
        by_account: dict[str, list[PushedRow]] = defaultdict(list)
        fallback: str | None = None
        for row in pushed:
            if row.account_id is None:
                fallback = fallback or _only_account(bank, update)
            by_account[row.account_id or fallback or ""].append(row)
        if not by_account:
            # Nothing listed and nobody to mark: a success with nothing to store.
            with suppress(LookupError):
                by_account[_only_account(bank, update)] = []
        new = updated = 0
        for account_id, account_rows in by_account.items():
            hints = account_rows[0].hints if account_rows else AccountHints()
            _ensure_account(bank, update, account_id, hints, at)
            raw = [row.raw for row in account_rows]
            added, changed = bank.save_transactions(account_id, raw, update.as_of, update.provider)
            new, updated = new + added, updated + changed
        update.new_transactions, update.updated_transactions = new, updated
        accounts = list(by_account)
    for account_id in accounts:
        bank.freshness.mark_synced(account_id, update.product, update.as_of, pushed=True)
    update.account_id = accounts[0] if accounts else update.account_id
    update.finish("succeeded", at)


def _only_account(bank: BankDataStore, update: PushedUpdate) -> str:
    """The account the webhook stands for when the data does not say."""
    if update.account_id:
        return update.account_id
    if update.customer_id:
        known = bank.customer_accounts(update.customer_id, update.bank_id)
        if len(known) == 1:
            return str(known[0]["account_id"])
    raise LookupError("the data names no account and the customer has no single one")


def _ensure_account(
    bank: BankDataStore, update: PushedUpdate, account_id: str, hints: AccountHints, at: str
) -> None:
    if not account_id:
        raise LookupError("the data names no account")
    if bank.account(account_id) is not None:
        return
    bank.register_account(
        ProviderAccount(
            account_id=account_id,
            customer_id=hints.customer_id or update.customer_id or "",
            bank_id=hints.bank_id or update.bank_id or "",
            bank_name=hints.bank_name,
            nuban=hints.nuban,
            name=hints.name,
            currency=hints.currency,
        ),
        at,
        update.provider,
    )
