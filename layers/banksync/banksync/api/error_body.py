"""The one shape of every API failure, as the OpenAPI document gives it.

The routes answer it from ``ApiError`` (``errors.py``); this model only
describes it, for the generator (``openapi.py``).
"""

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from banksync.api.answers import no_default


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: str = Field(description="a stable, machine-readable code, e.g. invalid_request")
    message: str = Field(description="what went wrong, for a person")
    fields: dict[str, str] | SkipJsonSchema[None] = Field(
        default=None,
        json_schema_extra=no_default,
        description="each offending input (field, parameter or header) and its rule; "
        "absent when no single input is at fault",
    )


class ErrorBody(BaseModel):
    """Every failure of the API, whatever the status."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    error: ErrorDetail
