"""The body of POST /refreshes."""

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from banksync.api_fields import Identifier
from banksync.provider.model import Product

# What ``one_target`` checks, for the OpenAPI document: an account, or a customer
# (with an optional bank); absent and null are alike.
ONE_TARGET: JsonDict = {
    "oneOf": [
        {
            "required": ["account_id"],
            "properties": {
                "account_id": {"type": "string"},
                "customer": {"type": "null"},
                "bank": {"type": "null"},
            },
        },
        {
            "required": ["customer"],
            "properties": {"customer": {"type": "string"}, "account_id": {"type": "null"}},
        },
    ]
}


class RefreshRequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=ONE_TARGET)

    account_id: Identifier | None = None
    customer: Identifier | None = None
    bank: Identifier | None = None
    products: list[Product] = Field(default=["balance", "transactions"], min_length=1)

    @model_validator(mode="after")
    def one_target(self) -> Self:
        if bool(self.account_id) == bool(self.customer):
            raise ValueError("give either account_id or customer (with an optional bank)")
        if self.bank and not self.customer:
            raise ValueError("bank narrows a customer's accounts; it needs customer")
        self.products = list(dict.fromkeys(self.products))
        return self
