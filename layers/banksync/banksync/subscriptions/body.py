"""POST /subscriptions: Okra's data-sync payload, validated (pydantic, API side only)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from banksync.api_fields import Identifier
from banksync.provider.model import Product
from banksync.subscriptions.intervals import Interval
from banksync.subscriptions.webhook_urls import webhook_url_problem

MAX_WEBHOOK_RATE_PER_SECOND = 1000


class SubscriptionBody(BaseModel):
    """POST /subscriptions. Validate with ``context={"allow_loopback_http": bool}``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    customer: Identifier
    products: list[Product] = Field(min_length=1)
    bank: Identifier | None = None
    interval: Interval = "daily"
    webhook_url: str | None = Field(default=None, min_length=1, max_length=2048)
    # So that one busy customer cannot flood a small receiver.
    # "thin": ids and the resource to fetch, no bank data in transit.
    webhook_payload: Literal["full", "thin"] = "full"
    webhook_rate_per_second: int | None = Field(
        default=None, ge=1, le=MAX_WEBHOOK_RATE_PER_SECOND, strict=True
    )

    @field_validator("products")
    @classmethod
    def distinct(cls, products: list[str]) -> list[str]:
        return list(dict.fromkeys(products))

    @field_validator("webhook_url")
    @classmethod
    def safe_destination(cls, url: str | None, info: ValidationInfo) -> str | None:
        if url is None:
            return None
        context = info.context or {}
        problem = webhook_url_problem(url, bool(context.get("allow_loopback_http")))
        if problem:
            raise ValueError(problem)
        return url
