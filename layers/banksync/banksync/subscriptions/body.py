"""POST /subscriptions: the data-sync payload, validated (pydantic, API side only)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from banksync.api_fields import WHOLE_NUMBER, Identifier
from banksync.provider.model import Product
from banksync.provider.names import ProviderName
from banksync.subscriptions.intervals import Interval
from banksync.subscriptions.webhook_urls import webhook_url_problem

MAX_WEBHOOK_RATE_PER_SECOND = 1000


def _webhook_url_schema(schema: dict[str, Any]) -> None:
    from banksync.string_patterns import WEBHOOK_URL_PATTERN  # only when the document is built

    schema["pattern"] = WEBHOOK_URL_PATTERN
    schema["description"] = (
        "https, no credentials, no spaces nor control characters; its host must resolve "
        "to public addresses only (checked when saved and before each delivery)"
    )


RatePerSecond = Annotated[
    int, Field(strict=True, ge=1, le=MAX_WEBHOOK_RATE_PER_SECOND), WHOLE_NUMBER
]
WebhookUrl = Annotated[
    str, Field(min_length=1, max_length=2048, json_schema_extra=_webhook_url_schema)
]


class SubscriptionBody(BaseModel):
    """POST /subscriptions. Validate with ``context={"allow_loopback_http": bool}``."""

    model_config = ConfigDict(extra="forbid")

    provider: ProviderName = Field(
        "okra", description="the provider the customer's accounts are linked at"
    )
    customer: Identifier
    products: list[Product] = Field(min_length=1)
    bank: Identifier | None = None
    interval: Interval = "daily"
    webhook_url: WebhookUrl | None = None
    # So that one busy customer cannot flood a small receiver.
    # "thin": ids and the resource to fetch, no bank data in transit.
    webhook_payload: Literal["full", "thin"] = "full"
    webhook_rate_per_second: RatePerSecond | None = None

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
