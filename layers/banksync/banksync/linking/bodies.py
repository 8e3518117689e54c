"""The bodies of the linking routes, validated (pydantic, API side only)."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from banksync.api_fields import Identifier
from banksync.string_patterns import WEBHOOK_URL_PATTERN


def _absent_not_null(schema: dict[str, Any]) -> None:
    """An optional field the document gives as absent, never null (a null is still
    read as absent)."""
    schema.pop("default", None)
    for branch in schema.pop("anyOf", []):
        if branch.get("type") != "null":
            schema.update(branch)


# A widget code: visible ASCII, as Mono issues them; Mono says whether it is one.
MAX_CODE_CHARS = 256
WidgetCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_CODE_CHARS,
        pattern=r"^[!-~]+$",
        description="the code the widget handed back (valid for 10 minutes, once)",
    ),
]
# An account id as Mono issues them (letters and digits): a path segment of Mono's API.
ProviderAccountId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="an account id Mono gave the business already",
    ),
]
RedirectUrl = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2048,
        pattern=WEBHOOK_URL_PATTERN,
        description="https, no credentials, no spaces nor control characters: where "
        "Mono sends the customer once they have re-authorised",
    ),
]


class LinkAccountBody(BaseModel):
    """POST /providers/mono/accounts: the customer, and exactly one of code or account_id."""

    # The document says "exactly one" too; the route checks it after the fields' own
    # rules, to answer a 422 that names both.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"oneOf": [{"required": ["code"]}, {"required": ["account_id"]}]},
    )

    customer: Identifier = Field(description="whose account it is: stored over what Mono says")
    # Absent rather than null in the document, so that "exactly one" reads there as
    # "exactly one of them present".
    code: WidgetCode | None = Field(default=None, json_schema_extra=_absent_not_null)
    account_id: ProviderAccountId | None = Field(
        default=None,
        json_schema_extra=_absent_not_null,
        description="an account id Mono gave the business already",
    )

    def link_problem(self) -> dict[str, str] | None:
        """Each field at fault when not exactly one of code and account_id is given."""
        if self.code is not None and self.account_id is not None:
            why = "give code or account_id, not both"
            return {"code": why, "account_id": why}
        if self.code is None and self.account_id is None:
            why = "give code (from the widget) or account_id (from Mono)"
            return {"code": why, "account_id": why}
        return None


class ReauthorisationBody(BaseModel):
    """POST /providers/mono/accounts/{account_id}/reauthorisation."""

    model_config = ConfigDict(extra="forbid")

    redirect_url: RedirectUrl
    reference: Identifier | None = Field(
        default=None,
        json_schema_extra=_absent_not_null,
        description="Mono's meta.ref for the link (echoed in its webhooks); "
        "a fresh one when absent",
    )
