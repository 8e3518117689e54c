"""Plaid's error object and the errors the sandbox answers, as Plaid documents them.

Every error answer is ``{error_type, error_code, error_message, display_message,
request_id, ...}`` with the HTTP status the docs give for that code.
"""

from dataclasses import dataclass

DOCS = "https://plaid.com/docs/errors/"
LOGIN_REQUIRED = (
    "the login details of this item have changed (credentials, MFA, or required user action) "
    "and a user login is required to update this information. use Link's update mode to "
    "restore the item to a good state"
)


@dataclass(frozen=True)
class Documented:
    status: int
    error_type: str
    message: str
    display: str | None = None


ERRORS: dict[str, Documented] = {
    "INVALID_API_KEYS": Documented(400, "INVALID_INPUT", "invalid client_id or secret provided"),
    "MISSING_FIELDS": Documented(
        400, "INVALID_REQUEST", "the following required fields are missing: {fields}"
    ),
    "INVALID_FIELD": Documented(400, "INVALID_REQUEST", "{detail}"),
    "INVALID_BODY": Documented(400, "INVALID_REQUEST", "body could not be parsed as JSON"),
    "NOT_FOUND": Documented(404, "INVALID_REQUEST", "not found"),
    "INVALID_ACCESS_TOKEN": Documented(
        400,
        "INVALID_INPUT",
        (
            "provided access token is in an invalid format. expected format: "
            "access-<environment>-<identifier>"
        ),
    ),
    "INVALID_PUBLIC_TOKEN": Documented(
        400,
        "INVALID_INPUT",
        (
            "provided public token is expired. Public tokens expire 30 minutes after creation"
            " at which point they can no longer be exchanged"
        ),
    ),
    "INVALID_LINK_TOKEN": Documented(400, "INVALID_INPUT", "invalid link_token provided"),
    "INVALID_PRODUCT": Documented(
        400,
        "INVALID_INPUT",
        "client is not authorized to access the following products: {products}",
    ),
    "INVALID_WEBHOOK_VERIFICATION_KEY_ID": Documented(
        400, "INVALID_INPUT", "invalid key_id provided"
    ),
    "INSTITUTION_NOT_FOUND": Documented(400, "INVALID_INPUT", "invalid institution_id provided"),
    "ITEM_LOGIN_REQUIRED": Documented(
        400,
        "ITEM_ERROR",
        LOGIN_REQUIRED,
        LOGIN_REQUIRED,
    ),
    "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION": Documented(
        400,
        "TRANSACTIONS_ERROR",
        (
            "Underlying transaction data changed since last page was fetched. Please restart "
            "pagination from last update."
        ),
    ),
    "SANDBOX_WEBHOOK_INVALID": Documented(
        400, "INVALID_INPUT", "Webhook for this item is either empty or has been set as invalid"
    ),
    "SANDBOX_PRODUCT_NOT_ENABLED": Documented(
        400, "SANDBOX_ERROR", "The {product} product is not enabled on this item"
    ),
    "RATE_LIMIT_EXCEEDED": Documented(
        429,
        "RATE_LIMIT_EXCEEDED",
        "rate limit exceeded for attempts to access this item. please try again later",
    ),
    **{
        code: Documented(
            429,
            "RATE_LIMIT_EXCEEDED",
            "rate limit exceeded for attempts to access this item. please try again later",
        )
        for code in (
            "ACCOUNTS_LIMIT",
            "ACCOUNTS_BALANCE_GET_LIMIT",
            "TRANSACTIONS_SYNC_LIMIT",
            "TRANSACTIONS_LIMIT",
        )
    },
    "INTERNAL_SERVER_ERROR": Documented(
        500,
        "API_ERROR",
        "an unexpected error occurred",
        "Something went wrong. Please try again later.",
    ),
    "PLANNED_MAINTENANCE": Documented(
        503,
        "API_ERROR",
        (
            "the Plaid API is temporarily unavailable due to planned maintenance. visit "
            "https://status.plaid.com/ for more information"
        ),
        "The service you're trying to connect to is down for maintenance. Please try again later.",
    ),
    "INSTITUTION_DOWN": Documented(
        400,
        "INSTITUTION_ERROR",
        "this institution is not currently responding to this request. please try again soon",
        (
            "This financial institution is not currently responding to requests. We apologize"
            " for the inconvenience."
        ),
    ),
}


class PlaidApiError(Exception):
    """Raised by a route: answered as Plaid's error object with the documented status."""

    def __init__(self, code: str, *, status: int | None = None, **fill: str) -> None:
        documented = ERRORS[code]
        super().__init__(code)
        self.code = code
        self.status = status or documented.status
        self.error_type = documented.error_type
        self.message = documented.message.format(**fill) if fill else documented.message
        self.display = documented.display

    def body(self, request_id: str) -> dict[str, object]:
        return error_object(self.code, request_id, self.message)


def error_object(
    code: str, request_id: str | None, message: str | None = None
) -> dict[str, object]:
    """The error as Plaid shapes it, in an answer or inside ``item.error`` and webhooks."""
    documented = ERRORS[code]
    page = documented.error_type.lower().replace("_", "-")
    body: dict[str, object] = {
        "error_type": documented.error_type,
        "error_code": code,
        "error_code_reason": None,
        "error_message": message or documented.message,
        "display_message": documented.display,
        "documentation_url": f"{DOCS}{page}/#{code.lower()}",
        "suggested_action": None,
        "causes": [],
        "status": documented.status,
    }
    if request_id is not None:
        body["request_id"] = request_id
    return body
