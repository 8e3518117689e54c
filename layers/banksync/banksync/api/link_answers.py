"""The shapes of the linking routes' answers."""

from pydantic import Field

from banksync.api.answers import Described
from banksync.api.read_answers import AccountSummary


class LinkedAccount(AccountSummary):
    """The account as the read API gives it, and the customer the provider names."""

    provider_customer_id: str | None = Field(
        description="the customer the provider names for the account (null: none); "
        "customer_id is the one the request gave, whatever this says"
    )


class ReauthorisationLink(Described):
    account_id: str
    reauthorisation_url: str = Field(
        description="the link Mono issued (its mono_url): send it to the customer"
    )
    reference: str = Field(description="the link's reference, echoed in Mono's webhooks")
