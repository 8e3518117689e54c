"""What the caller's store hands the Plaid adapter of an Item: never through the port."""

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ItemAccess:
    """What banksync's store holds of one Plaid Item: its id, its access token
    (stored KMS-encrypted, decrypted only to be handed in here) and its cursor."""

    item_id: str
    access_token: str = field(repr=False)
    cursor: str = ""


@dataclass(frozen=True, slots=True)
class LinkedItem:
    item_id: str
    access_token: str = field(repr=False)


class Items(Protocol):
    def by_account(self, account_id: str) -> ItemAccess: ...

    def by_item(self, item_id: str) -> ItemAccess: ...

    def of_customer(self, customer: str) -> list[ItemAccess]: ...
