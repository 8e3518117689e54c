"""Calling banksync's HTTP API on a deployed stack: every request signed with SigV4.

The API's routes are IAM-authorised (API Gateway's AWS_IAM authoriser), so a
request carries a Signature Version 4 for the service ``execute-api``, made
with the caller's AWS credentials (boto3's usual chain: environment, profile,
role). The caller needs ``execute-api:Invoke`` on the routes it calls.

    pip install boto3 httpx
    python examples/sigv4_client.py "$API_URL" GET /customers/cust-1/accounts
    python examples/sigv4_client.py "$API_URL" GET /accounts/acct-1/transactions/sync count=100
    python examples/sigv4_client.py "$API_URL" POST /refreshes '{"account_id": "acct-1"}'

``$API_URL`` is the stack's ``ApiUrl`` output. The routes and their answers
are in openapi/banksync.json.
"""

import json
import sys
from typing import Any
from urllib.parse import quote

import boto3
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials

SERVICE = "execute-api"


def signed(
    method: str,
    url: str,
    credentials: Credentials | ReadOnlyCredentials,
    region: str,
    *,
    params: dict[str, str] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    service: str = SERVICE,
) -> httpx.Request:
    """An httpx request for ``url`` carrying its SigV4 signature.

    The URL (query included) and the body are fixed before signing: what is
    signed is byte for byte what is sent.
    """
    # Encoded as SigV4's canonical query is (RFC 3986, space as %20, not "+"),
    # so that API Gateway's canonical form of what arrives is what was signed.
    query = "&".join(f"{_encoded(k)}={_encoded(v)}" for k, v in sorted((params or {}).items()))
    target = httpx.URL(f"{url}?{query}" if query else url)
    content = b"" if body is None else json.dumps(body).encode()
    sent = dict(headers or {})
    if body is not None:
        sent["content-type"] = "application/json"
    request = AWSRequest(method=method, url=str(target), data=content, headers=sent)
    SigV4Auth(credentials, service, region).add_auth(request)
    return httpx.Request(method, target, content=content, headers=dict(request.headers.items()))


def _encoded(text: str) -> str:
    return quote(text, safe="-_.~")


class BanksyncClient:
    """A small client of the API: signs each call and raises on an error answer."""

    def __init__(
        self,
        api_url: str,
        session: boto3.Session | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.session = session or boto3.Session()
        self.http = http or httpx.Client(timeout=30)

    def call(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        credentials = self.session.get_credentials()
        if credentials is None:
            raise RuntimeError("no AWS credentials: configure a profile, role or environment")
        region = self.session.region_name or "us-east-1"
        request = signed(
            method,
            f"{self.api_url}{path}",
            credentials.get_frozen_credentials(),
            region,
            params=params,
            body=body,
            headers=headers,
        )
        answer = self.http.send(request)
        if answer.status_code >= 400:
            # {"error": {"code", "message", "fields"}}, or API Gateway's {"message"} on a 403.
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text}")
        return answer.json() if answer.content else None

    def sync(self, account_id: str, cursor: str | None = None) -> tuple[list[Any], str]:
        """Every change after ``cursor``, and the cursor to keep for next time."""
        changes: list[Any] = []
        while True:
            params = {"count": "500", **({"cursor": cursor} if cursor else {})}
            page = self.call("GET", f"/accounts/{account_id}/transactions/sync", params)
            changes += [("added", t) for t in page["added"]]
            changes += [("modified", t) for t in page["modified"]]
            changes += [("removed", t) for t in page["removed"]]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return changes, cursor


def main(argv: list[str]) -> None:
    if len(argv) < 3:
        sys.exit(__doc__)
    api_url, method, path, *rest = argv
    params: dict[str, str] = {}
    body = None
    for arg in rest:
        if arg.startswith("{"):
            body = json.loads(arg)
        else:
            name, _, value = arg.partition("=")
            params[name] = value
    answer = BanksyncClient(api_url).call(method.upper(), path, params or None, body)
    print(json.dumps(answer, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
