"""A pushed update's fetched data, stored as a refresh's is: exactly once, newer wins.

The provider's webhook names a customer and a bank but seldom the account;
the fetched data does (``balance.account``, each row's ``account``). An
account banksync has never seen is registered from what the data says of
it, so the stack learns accounts from the provider's push alone.
"""

from collections import defaultdict
from contextlib import suppress
from typing import Any

from banksync.bankdata.store import BankDataStore
from banksync.inbound.normalise import id_of
from banksync.provider.model import ProviderAccount
from banksync.push.updates import PushedUpdate


def store_pushed_data(
    bank: BankDataStore, update: PushedUpdate, data: dict[str, Any], at: str
) -> None:
    """Store ``data`` and finish ``update``; LookupError when no account can be told."""
    if update.product == "balance":
        found = data.get("balance")
        balance: dict[str, Any] = found if isinstance(found, dict) else {}
        account_id = id_of(balance.get("account")) or _only_account(bank, update)
        _ensure_account(bank, update, account_id, balance.get("account"), balance, at)
        bank.save_balance(account_id, balance, update.as_of, at)
        update.balance = {
            key: balance.get(key) for key in ("ledger_balance", "available_balance", "currency")
        }
        accounts = [account_id]
    else:
        listed = data.get("transactions")
        rows: list[Any] = listed if isinstance(listed, list) else []
        by_account: dict[str, list[dict[str, Any]]] = defaultdict(list)
        fallback: str | None = None
        for row in rows:
            if not isinstance(row, dict):
                continue
            named = id_of(row.get("account"))
            if named is None:
                fallback = fallback or _only_account(bank, update)
            by_account[named or fallback or ""].append(row)
        if not by_account:
            # Nothing listed and nobody to mark: a success with nothing to store.
            with suppress(LookupError):
                by_account[_only_account(bank, update)] = []
        new = updated = 0
        for account_id, account_rows in by_account.items():
            first = account_rows[0] if account_rows else {}
            _ensure_account(bank, update, account_id, first.get("account"), first, at)
            added, changed = bank.save_transactions(account_id, account_rows, update.as_of)
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
    bank: BankDataStore,
    update: PushedUpdate,
    account_id: str,
    described: Any,
    context: dict[str, Any],
    at: str,
) -> None:
    if not account_id:
        raise LookupError("the data names no account")
    if bank.account(account_id) is not None:
        return
    about = described if isinstance(described, dict) else {}
    bank.register_account(
        ProviderAccount(
            account_id=account_id,
            customer_id=id_of(context.get("customer")) or update.customer_id or "",
            bank_id=id_of(context.get("bank")) or update.bank_id or "",
            bank_name=str(about.get("bank_name") or ""),
            nuban=str(about.get("nuban") or context.get("nuban") or ""),
            name=str(about.get("name") or ""),
            currency=str(context.get("currency") or about.get("currency") or ""),
        ),
        at,
    )
