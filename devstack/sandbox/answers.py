"""How the sandbox answers, shaped as Okra's: errors, pages, a record not ready yet."""

import math
from typing import Any

from flask import Response, jsonify

from devstack.sandbox.world import AccountSpec


def not_ready(account: AccountSpec, product: str) -> Response:
    if account.scenario.not_ready_shape == "in_progress":
        # Okra's published client models: a success whose process is still running.
        progress = {"process": {"running": True, "completed": False}}
        empty: Any = None if product == "balance" else []
        return jsonify(
            status="success",
            message="Record is still processing",
            data={"status": progress, product: empty},
        )
    response = jsonify(status="processing", message="Record is still processing", data={})
    response.status_code = 202
    return response


def page_of(rows: list[Any], page: int, size: int) -> list[Any]:
    return rows[(page - 1) * size : page * size]


def pagination(total: int, page: int, size: int) -> dict[str, Any]:
    pages = max(1, math.ceil(total / size))
    return {
        "totalDocs": total,
        "limit": size,
        "page": page,
        "totalPages": pages,
        "hasPrevPage": page > 1,
        "hasNextPage": page < pages,
        "prevPage": page - 1 if page > 1 else None,
        "nextPage": page + 1 if page < pages else None,
    }


def error(status: int, message: str, kind: str) -> Response:
    response = jsonify(status="error", message=message, type=kind)
    response.status_code = status
    return response
