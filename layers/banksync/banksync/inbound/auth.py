"""The shared secret a provider's dashboard sends with each webhook.

Neither provider signs its webhooks: each sends a static secret in a header
(Okra a bearer token, Mono its own header). The expected value lives in
Secrets Manager and is cached for ``max_age`` seconds, so a rotated secret is
picked up within that time.
"""

import hmac

from aws_lambda_powertools.utilities import parameters

from banksync.api_errors import ApiError
from banksync.observability import logger
from banksync.provider.announcements import WebhookCredential

UNAUTHORISED_HEADERS = {"WWW-Authenticate": 'Bearer realm="banksync-webhooks"'}
BEARER = WebhookCredential("authorization", bearer=True)


class WebhookTokenVerifier:
    def __init__(self, secret_name: str, max_age: int = 300) -> None:
        self._secret_name = secret_name
        self._max_age = max_age

    def verify(self, presented: str | None, credential: WebhookCredential = BEARER) -> None:
        """Return if ``presented`` is the secret; raise a 401, or a 503 when unsure."""
        header = credential.header
        challenge = UNAUTHORISED_HEADERS if credential.bearer else {}
        if not presented:
            missing = "missing or not a Bearer token" if credential.bearer else "missing"
            what = "a bearer token" if credential.bearer else f"the {header} header"
            raise ApiError(401, "unauthorized", f"{what} is required", {header: missing}, challenge)
        expected = self._expected()
        if not hmac.compare_digest(presented.encode(), expected.encode()):
            what = "the bearer token" if credential.bearer else f"the {header} header"
            wrong = "token does not match" if credential.bearer else "does not match"
            raise ApiError(401, "unauthorized", f"{what} is not valid", {header: wrong}, challenge)

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
