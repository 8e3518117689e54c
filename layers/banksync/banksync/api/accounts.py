"""The read API: customers' accounts, balances and transactions, and their change feed."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from banksync.api import described
from banksync.api.params import (
    DIGITS,
    choice_param,
    page_query,
    path_id,
    query_params,
    time_param,
)
from banksync.api_errors import ApiError
from banksync.consumer.reads import ConsumerReads, NotFoundError
from banksync.feed.cursor import MAX_CURSOR_CHARS, CursorError
from banksync.feed.reader import RESTART, ChangeFeed, StaleCursorError

router = APIGatewayHttpRouter()
DEFAULT_PAGE, MAX_PAGE = 25, 100
DEFAULT_TRANSACTIONS, MAX_TRANSACTIONS = 100, 500
DEFAULT_COUNT, MAX_COUNT = 100, 500
STATUSES = ("pending", "posted")
TAGS = ["accounts"]
UNKNOWN_ACCOUNT = {404: "not_found: no account with this id"}
ACCOUNT_ID = described.path("account_id", "the provider's account id")
CUSTOMER = described.path("customer", "the customer's id at the provider")
CURSOR_ERRORS = {
    400: "invalid_cursor: the cursor is not one this feed gave (or another scope's); "
    "stale_cursor: the changes after it have expired. Both: start again without a cursor",
}


def _paging(default: int, maximum: int) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        described.query(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": maximum, "default": default},
            "page size",
        ),
        described.next_token(),
    )


def _sync_params() -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        described.query(
            "cursor",
            {"type": "string", "minLength": 1, "maxLength": MAX_CURSOR_CHARS},
            "the next_cursor of the previous page; absent: from the first change",
        ),
        described.query(
            "count",
            {"type": "integer", "minimum": 1, "maximum": MAX_COUNT, "default": DEFAULT_COUNT},
            "at most this many changes",
        ),
    )


class ReadRoutes:
    def __init__(self, reads: ConsumerReads, feed: ChangeFeed) -> None:
        self.reads, self.feed = reads, feed


def _routes() -> ReadRoutes:
    routes: ReadRoutes = router.context["read_routes"]
    return routes


@router.get(
    "/customers/<customer>/accounts",
    summary="A customer's accounts",
    description="Order: by bank id, then account id (ascending).",
    tags=TAGS,
    operation_id="listCustomerAccounts",
    responses=described.answers({200: ("AccountPage", "one page of accounts")}, {}),
    openapi_extensions=described.parameters(CUSTOMER, *_paging(DEFAULT_PAGE, MAX_PAGE)),
)
def customer_accounts(customer: str) -> dict[str, Any]:
    query = page_query(router.current_event, (), DEFAULT_PAGE, MAX_PAGE)
    customer = path_id(router.current_event, "customer", customer)
    found, token = _routes().reads.customer_accounts(customer, query.limit, query.next_token)
    return _page(found, token)


@router.get(
    "/accounts/<account_id>",
    summary="An account: profile, latest balance, data age, last refresh, reauthorisation",
    tags=TAGS,
    operation_id="getAccount",
    responses=described.answers({200: ("AccountView", "the account")}, UNKNOWN_ACCOUNT),
    openapi_extensions=described.parameters(ACCOUNT_ID),
)
def account(account_id: str) -> dict[str, Any]:
    query_params(router.current_event)
    account_id = path_id(router.current_event, "account_id", account_id)
    try:
        return _routes().reads.account(account_id)
    except NotFoundError:
        raise _unknown_account(account_id) from None


@router.get(
    "/accounts/<account_id>/balances",
    summary="An account's balance history, newest first",
    description="Order: newest first (as_of, descending).",
    tags=TAGS,
    operation_id="listBalances",
    responses=described.answers({200: ("BalancePage", "one page of balances")}, UNKNOWN_ACCOUNT),
    openapi_extensions=described.parameters(ACCOUNT_ID, *_paging(DEFAULT_PAGE, MAX_PAGE)),
)
def balances(account_id: str) -> dict[str, Any]:
    query = page_query(router.current_event, (), DEFAULT_PAGE, MAX_PAGE)
    account_id = path_id(router.current_event, "account_id", account_id)
    _known(account_id)
    found, token = _routes().reads.balances(account_id, query.limit, query.next_token)
    return _page(found, token)


@router.get(
    "/accounts/<account_id>/transactions",
    summary="An account's transactions booked in [from, to), newest first",
    description="Order: newest booked first (booked_at, then transaction_id, descending). "
    "Removed transactions are left out; the change feed reports them.",
    tags=TAGS,
    operation_id="listTransactions",
    responses=described.answers(
        {200: ("TransactionPage", "one page of transactions")}, UNKNOWN_ACCOUNT
    ),
    openapi_extensions=described.parameters(
        ACCOUNT_ID,
        described.time_query("from", "inclusive"),
        described.time_query("to", "exclusive; not before from (a 400 names it)"),
        described.query("status", {"type": "string", "enum": list(STATUSES)}, "only these"),
        *_paging(DEFAULT_TRANSACTIONS, MAX_TRANSACTIONS),
    ),
)
def transactions(account_id: str) -> dict[str, Any]:
    query = page_query(
        router.current_event, ("from", "to", "status"), DEFAULT_TRANSACTIONS, MAX_TRANSACTIONS
    )
    params = query.params
    account_id = path_id(router.current_event, "account_id", account_id)
    since, until = time_param("from", params.get("from")), time_param("to", params.get("to"))
    if since and until and until < since:
        raise ApiError(400, "invalid_request", "to is invalid", {"to": "must not be before from"})
    status = choice_param("status", params.get("status"), STATUSES)
    _known(account_id)
    found, token = _routes().reads.transactions(
        account_id, since, until, status, query.limit, query.next_token
    )
    return _page(found, token)


@router.get(
    "/accounts/<account_id>/transactions/sync",
    summary="An account's change feed: added, modified and removed since a cursor",
    description="Order: oldest change first (change_seq, ascending). Page until has_more "
    "is false; keep next_cursor for the next sync. A page never skips nor repeats a change, "
    "even while refreshes write.",
    tags=["sync"],
    operation_id="syncAccountTransactions",
    responses=described.answers(
        {200: ("SyncPage", "the changes after the cursor")}, {**CURSOR_ERRORS, **UNKNOWN_ACCOUNT}
    ),
    openapi_extensions=described.parameters(ACCOUNT_ID, *_sync_params()),
)
def account_sync(account_id: str) -> dict[str, Any]:
    params = query_params(router.current_event, ("cursor", "count"))
    account_id = path_id(router.current_event, "account_id", account_id)
    count, cursor = _count(params.get("count")), _cursor(params)
    _known(account_id)
    with _cursor_checked():
        return _routes().feed.account_page(account_id, cursor, count).answer()


@router.get(
    "/customers/<customer>/transactions/sync",
    summary="A customer's change feed, across all their accounts",
    description="Order: oldest change first, the accounts' changes merged by when each was "
    "written (changed_at), each account's in its own order. Otherwise as the account's feed; "
    "the cursor holds a position per account.",
    tags=["sync"],
    operation_id="syncCustomerTransactions",
    responses=described.answers({200: ("SyncPage", "the changes after the cursor")}, CURSOR_ERRORS),
    openapi_extensions=described.parameters(CUSTOMER, *_sync_params()),
)
def customer_sync(customer: str) -> dict[str, Any]:
    params = query_params(router.current_event, ("cursor", "count"))
    customer = path_id(router.current_event, "customer", customer)
    count, cursor = _count(params.get("count")), _cursor(params)
    accounts = _routes().reads.customer_account_ids(customer)
    with _cursor_checked():
        page = _routes().feed.customer_page(customer, accounts, cursor, count)
    return page.answer()


def _known(account_id: str) -> None:
    if not _routes().reads.exists(account_id):
        raise _unknown_account(account_id)


def _unknown_account(account_id: str) -> ApiError:
    return ApiError(404, "not_found", "no such account", {"account_id": f"no account {account_id}"})


def _count(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_COUNT
    if not DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_COUNT:
        raise ApiError(
            400,
            "invalid_request",
            "count is invalid",
            {"count": f"must be an integer from 1 to {MAX_COUNT}"},
        )
    return int(raw)


def _cursor(params: dict[str, str]) -> str | None:
    cursor = params.get("cursor")
    if cursor is not None and (not cursor or len(cursor) > MAX_CURSOR_CHARS):
        raise ApiError(
            400,
            "invalid_cursor",
            "cursor is invalid",
            {"cursor": f"is not one this feed gave; {RESTART}"},
        )
    return cursor


@contextmanager
def _cursor_checked() -> Iterator[None]:
    """A bad, foreign or stale cursor as a 400 that says how to start again."""
    try:
        yield
    except CursorError as error:
        raise ApiError(400, "invalid_cursor", "cursor is invalid", {"cursor": str(error)}) from None
    except StaleCursorError as error:
        why = f"{error}; {RESTART}"
        raise ApiError(400, "stale_cursor", "cursor is stale", {"cursor": why}) from None


def _page(found: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    page: dict[str, Any] = {"items": found}
    if token:
        page["next_token"] = token
    return page
