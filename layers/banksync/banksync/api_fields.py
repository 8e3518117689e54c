"""Field types the API's bodies share (pydantic, API side only)."""

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from banksync.identifiers import MAX_LENGTH, checked_identifier, stripped


def _stripped(value: Any) -> Any:
    return stripped(value) if isinstance(value, str) else value


def _identifier_schema(schema: dict[str, Any]) -> None:
    # One schema in the document's components (its pattern says the length too, of the
    # stripped value): built when the document is, never at cold start.
    schema.clear()
    schema["allOf"] = [{"$ref": "#/components/schemas/Identifier"}]


def _whole_number(value: Any) -> Any:
    """JSON has one kind of number: 54.0 is the integer 54, as JSON Schema counts it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Identifier = Annotated[
    str,
    BeforeValidator(_stripped),
    Field(min_length=1, max_length=MAX_LENGTH, json_schema_extra=_identifier_schema),
    AfterValidator(checked_identifier),
]
# For ``Annotated[int, Field(strict=True, ...), WHOLE_NUMBER]``: an integer given as
# 54 or 54.0; never a string nor a boolean.
WHOLE_NUMBER = BeforeValidator(_whole_number)
