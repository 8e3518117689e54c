"""Field types the API's bodies share (pydantic, API side only)."""

from typing import Annotated

from pydantic import AfterValidator, Field

from banksync.identifiers import MAX_LENGTH, checked_identifier

Identifier = Annotated[
    str, Field(min_length=1, max_length=MAX_LENGTH), AfterValidator(checked_identifier)
]
