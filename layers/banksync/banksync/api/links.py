"""POST /providers/mono/accounts (register a linked account) and
POST /providers/mono/accounts/{account_id}/reauthorisation (Mono's re-authorisation link).

Reads the request, calls the linking logic, and answers each domain failure with
its status: the provider off or an unknown account 404, another provider's
account 409, what Mono refused 422, no call to spare or Mono's 429 429 with
Retry-After, Mono failing 502/503.
"""

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from banksync.api import described
from banksync.api.bodies import body_object
from banksync.api.link_answers import LinkedAccount, ReauthorisationLink
from banksync.api.params import path_id, query_params
from banksync.api.settings import ApiSettings
from banksync.api_errors import ApiError
from banksync.bankdata.accounts import AccountOfAnotherProviderError
from banksync.bankdata.store import BankDataStore
from banksync.consumer.views import account_summary
from banksync.linking.accounts import AccountLinks, CodeSpentError, UnknownAccountError
from banksync.linking.bodies import LinkAccountBody, ReauthorisationBody
from banksync.provider.errors import (
    BadRequestError,
    BudgetExhaustedError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitedError,
    UnauthorisedError,
)
from banksync.provider.names import ProviderName, ProviderOffError
from banksync.provider.settings import ProvidersSettings
from banksync.provider_desk import ProviderDesk

router = APIGatewayHttpRouter()
MONO: ProviderName = "mono"
TAGS = ["providers"]
PROVIDER_ERRORS = {
    404: "provider_off: Mono is not switched on in this stack (the Providers parameter)",
    422: "provider_refused: Mono refused what was sent; `fields` names it, with Mono's words",
    429: "rate_limited: no Mono call to spare now, or Mono asked to wait; retry after "
    "Retry-After seconds",
    502: "provider_failed: Mono answered with something unusable, or refused the stack's "
    "secret key (provider_key_refused)",
    503: "provider_unavailable: Mono did not answer in time or failed; retry",
}


def build(settings: ApiSettings, dynamodb: Any) -> AccountLinks:
    bank = BankDataStore(settings.data_table_name, dynamodb)
    # Only Mono's settings: the operator API calls no other provider.
    providers = ProvidersSettings.from_environ(among=(MONO,))
    return AccountLinks(bank, ProviderDesk(providers, settings.data_table_name, dynamodb))


def _links() -> AccountLinks:
    links: AccountLinks = router.context["account_links"]
    return links


@router.post(
    "/providers/mono/accounts",
    summary="Register an account a customer linked at Mono",
    description="Give the code Mono's widget handed back, or an account id Mono gave the "
    "business; banksync asks Mono for the account's details and registers it for the "
    "customer given (whom Mono names is in provider_customer_id). Registering it again "
    "updates it. Mono's calls are taken from its budget, before scheduled work.",
    tags=TAGS,
    operation_id="linkMonoAccount",
    responses=described.answers(
        {201: (LinkedAccount, "registered: the account as the read API gives it")},
        {
            **PROVIDER_ERRORS,
            409: "account_of_another_provider: an account of this id is another provider's",
            422: "invalid_link: not exactly one of code and account_id; " + PROVIDER_ERRORS[422],
        },
        body=True,
    ),
    openapi_extensions=described.json_body(LinkAccountBody),
)
def link_account() -> Response[Any]:
    query_params(router.current_event)
    body = LinkAccountBody.model_validate(body_object(router.current_event))
    problem = body.link_problem()
    if problem:
        raise ApiError(422, "invalid_link", "give exactly one of code and account_id", problem)
    refused_field = "code" if body.code is not None else "account_id"
    with _answered(refused_field):
        linked = _links().link(MONO, body.customer, code=body.code, account_id=body.account_id)
    answer = account_summary(linked.profile)
    answer["provider_customer_id"] = linked.provider_customer_id
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=answer)


@router.post(
    "/providers/mono/accounts/<account_id>/reauthorisation",
    summary="The link Mono issues for a customer to re-authorise an account",
    description="Send the link to the customer; once they re-authorise, Mono's webhook "
    "lifts the account's re-authorisation mark.",
    tags=TAGS,
    operation_id="getMonoReauthorisationLink",
    responses=described.answers(
        {200: (ReauthorisationLink, "the link")},
        {
            **PROVIDER_ERRORS,
            404: "not_found: no Mono account of this id is stored; " + PROVIDER_ERRORS[404],
        },
        body=True,
    ),
    openapi_extensions={
        **described.json_body(ReauthorisationBody),
        **described.parameters(described.path("account_id", "Mono's account id")),
    },
)
def reauthorisation_link(account_id: str) -> dict[str, Any]:
    query_params(router.current_event)
    account_id = path_id(router.current_event, "account_id", account_id)
    body = ReauthorisationBody.model_validate(body_object(router.current_event))
    with _answered("account_id"):
        url, reference = _links().reauthorisation_link(
            MONO, account_id, body.redirect_url, body.reference
        )
    return {"account_id": account_id, "reauthorisation_url": url, "reference": reference}


@contextmanager
def _answered(refused_field: str) -> Iterator[None]:
    """The linking logic's failures as the API's answers."""
    try:
        yield
    except ProviderOffError as error:
        why = "not switched on (the stack's Providers parameter)"
        raise ApiError(404, "provider_off", str(error), {"provider": why}) from None
    except UnknownAccountError as error:
        raise ApiError(404, "not_found", str(error), {"account_id": str(error)}) from None
    except AccountOfAnotherProviderError as error:
        raise ApiError(
            409,
            "account_of_another_provider",
            str(error),
            {"account_id": "is another provider's account"},
        ) from None
    except CodeSpentError as spent:
        answer = _provider_failure(spent.failure, "account_id")
        answer.fields["account_id"] = (
            f"{spent.account_id}: the code is spent; retry with this account_id"
        )
        raise answer from None
    except (ProviderError, BudgetExhaustedError) as failure:
        raise _provider_failure(failure, refused_field) from None


def _provider_failure(
    failure: ProviderError | BudgetExhaustedError, refused_field: str
) -> ApiError:
    if isinstance(failure, BudgetExhaustedError | RateLimitedError):
        if isinstance(failure, BudgetExhaustedError):
            wait: float = failure.wait_seconds
        else:
            wait = failure.retry_after
        seconds = str(max(1, math.ceil(wait)))
        return ApiError(
            429,
            "rate_limited",
            f"no Mono call to spare now: retry after {seconds} s",
            {"provider": f"mono has no call to spare for {seconds} s"},
            headers={"Retry-After": seconds},
        )
    if isinstance(failure, ProviderUnavailableError):
        return ApiError(503, "provider_unavailable", f"Mono is unavailable: {failure}; retry")
    if isinstance(failure, UnauthorisedError):
        return ApiError(
            502,
            "provider_key_refused",
            "Mono refused the stack's secret key: check the MonoSecretKey secret",
        )
    if isinstance(failure, BadRequestError):
        return ApiError(422, "provider_refused", "Mono refused it", {refused_field: str(failure)})
    return ApiError(502, "provider_failed", f"Mono's answer is unusable: {failure}")
