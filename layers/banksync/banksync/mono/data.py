"""Mono's balance and transaction answers as a refresh's outcome (``Ready.data`` is
described in ``banksync.mono.pushed``).

Data is checked before it is called ready: a row or balance whose figure
cannot be read exactly makes the fetch Failed, naming the row and the field,
so that nothing downstream stores a guessed amount. ``data: null`` is Mono's
"not there yet" (an enqueued real-time call, or an account still being
fetched after linking): not ready, never an error.
"""

from typing import Any

from banksync.mono.balances import normalise_balance
from banksync.mono.transactions import normalise_transaction, transaction_id
from banksync.mono.values import MonoValueError
from banksync.provider.model import CallbackOutcome, Failed, NotReady, Ready


class DataReader:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id

    def balance(self, answer: dict[str, Any]) -> CallbackOutcome:
        data = answer.get("data")
        if data is None:
            return NotReady("Mono has no balance for the account yet")
        if not isinstance(data, dict):
            return Failed("Mono's balance answer holds no balance object")
        try:
            normalise_balance(data, self.account_id, "")
        except MonoValueError as error:
            return Failed(f"Mono's balance of {self.account_id}: {error}")
        return Ready({"account_id": self.account_id, "balance": data})

    def transactions(self, pages: list[Any], total: Any, complete: bool) -> CallbackOutcome:
        """``pages`` is each page's ``data``; ``complete`` False when pages were left."""
        if not pages or pages[0] is None:
            return NotReady("Mono has no transactions for the account yet")
        rows: list[dict[str, Any]] = []
        for page in pages:
            if not isinstance(page, list):
                return Failed("Mono's transactions answer holds no list of rows")
            for row in page:
                refused = self._refusal(row)
                if refused is not None:
                    return refused
                rows.append(row)
        return Ready(
            {
                "account_id": self.account_id,
                "transactions": rows,
                "total": total if isinstance(total, int) and not isinstance(total, bool) else None,
                "pages": len(pages),
                "complete": complete,
            }
        )

    def _refusal(self, row: Any) -> Failed | None:
        if not isinstance(row, dict):
            return Failed("Mono's transactions answer holds a row that is not an object")
        try:
            normalise_transaction(row, self.account_id)
        except MonoValueError as error:
            name = transaction_id(row) or "without an id"
            return Failed(f"Mono's transaction {name} of {self.account_id}: {error}")
        return None
