"""The products a refresh covers, in Okra's names (no HTTP client needed to know them)."""

from typing import Literal

Product = Literal["balance", "transactions"]
PRODUCTS: tuple[Product, ...] = ("balance", "transactions")
