"""The shared bearer token the provider's dashboard sends with each webhook.

Okra does not sign webhooks; its dashboard sends a static bearer token. The
expected value lives in Secrets Manager and is cached for ``max_age`` seconds,
so a rotated secret is picked up within that time.
"""

import hmac

from aws_lambda_powertools.utilities import parameters

from banksync.api_errors import ApiError
from banksync.observability import logger

UNAUTHORISED_HEADERS = {"WWW-Authenticate": 'Bearer realm="banksync-webhooks"'}


class WebhookTokenVerifier:
    def __init__(self, secret_name: str, max_age: int = 300) -> None:
        self._secret_name = secret_name
        self._max_age = max_age

    def verify(self, presented: str | None) -> None:
        """Return if ``presented`` is the token; raise a 401, or a 503 when unsure."""
        if presented is None:
            raise ApiError(
                401,
                "unauthorized",
                "a bearer token is required",
                {"authorization": "missing or not a Bearer token"},
                UNAUTHORISED_HEADERS,
            )
        expected = self._expected()
        if not hmac.compare_digest(presented.encode(), expected.encode()):
            raise ApiError(
                401,
                "unauthorized",
                "the bearer token is not valid",
                {"authorization": "token does not match"},
                UNAUTHORISED_HEADERS,
            )

    def _expected(self) -> str:
        # Fail closed: without the secret nobody is let in, and 503 tells the
        # provider to retry rather than drop the webhook.
        try:
            secret = parameters.get_secret(self._secret_name, max_age=self._max_age)
        except Exception:
            logger.exception("webhook token secret unreadable")
            raise ApiError(
                503, "auth_unavailable", "webhook authentication is unavailable; retry later"
            ) from None
        if not isinstance(secret, str) or not secret:
            logger.error("webhook token secret is empty or binary")
            raise ApiError(
                503, "auth_unavailable", "webhook authentication is unavailable; retry later"
            )
        return secret
