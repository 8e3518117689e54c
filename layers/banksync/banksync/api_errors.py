"""The error every banksync API answers with, in one shape.

``{"error": {"code": ..., "message": ..., "fields": {...}}}`` with the status
code that says what went wrong; ``fields`` names each offending input.
"""

from typing import Any

from banksync.http import json_response


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}

    def to_response(self) -> dict[str, Any]:
        return json_response(self.status, self.body(), self.headers)
