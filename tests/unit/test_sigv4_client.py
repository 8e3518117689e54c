"""examples/sigv4_client.py signs what it sends, as SigV4 for execute-api defines it."""

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote

import boto3
import httpx
import pytest
from botocore.credentials import Credentials

from examples.sigv4_client import BanksyncClient, signed

NOW = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
KEY_ID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
API_URL = "https://abc123.execute-api.eu-west-1.amazonaws.com"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: NOW.replace(tzinfo=None))


def expected_signature(request: httpx.Request, secret: str, region: str, service: str) -> str:
    """SigV4 computed here from the request as sent, independently of botocore."""
    authorization = request.headers["authorization"]
    signed_names = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    query = sorted(parse_qsl(request.url.query.decode(), keep_blank_values=True))
    canonical = "\n".join(
        [
            request.method,
            quote(request.url.path, safe="/-_.~"),
            "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in query),
            "".join(f"{name}:{request.headers[name].strip()}\n" for name in signed_names),
            ";".join(signed_names),
            hashlib.sha256(request.content).hexdigest(),
        ]
    )
    stamp = request.headers["x-amz-date"]
    scope = f"{stamp[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = f"AWS4{secret}".encode()
    for part in (stamp[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def signature_of(request: httpx.Request) -> str:
    return request.headers["authorization"].rsplit("Signature=", 1)[1]


def test_the_published_get_vanilla_vector() -> None:
    request = signed(
        "GET",
        "https://example.amazonaws.com/",
        Credentials(KEY_ID, SECRET),
        "us-east-1",
        service="service",
    )
    assert request.headers["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    )


def test_a_request_with_a_query_and_a_body_is_signed_as_sent() -> None:
    request = signed(
        "POST",
        f"{API_URL}/refreshes",
        Credentials(KEY_ID, SECRET, "session-token"),
        "eu-west-1",
        params={"a b": "c/d", "next_token": "eyJ4Ijoi=="},
        body={"account_id": "acct-1"},
        headers={"Idempotency-Key": "k-1"},
    )
    assert "/eu-west-1/execute-api/aws4_request" in request.headers["authorization"]
    assert request.headers["x-amz-security-token"] == "session-token"
    assert json.loads(request.content) == {"account_id": "acct-1"}
    signed_names = request.headers["authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert {"host", "content-type", "idempotency-key", "x-amz-date"} <= set(signed_names.split(";"))
    assert signature_of(request) == expected_signature(request, SECRET, "eu-west-1", "execute-api")


def test_a_tampered_body_no_longer_matches_its_signature() -> None:
    request = signed("POST", f"{API_URL}/sweeps", Credentials(KEY_ID, SECRET), "eu-west-1", body={})
    tampered = httpx.Request("POST", request.url, content=b'{"x":1}', headers=request.headers)
    assert signature_of(tampered) != expected_signature(
        tampered, SECRET, "eu-west-1", "execute-api"
    )


def test_the_client_signs_each_call_and_pages_the_feed_to_its_end() -> None:
    seen: list[httpx.Request] = []
    pages = [
        {
            "added": [{"transaction_id": "t1"}],
            "modified": [],
            "removed": [],
            "next_cursor": "c1",
            "has_more": True,
        },
        {
            "added": [],
            "modified": [],
            "removed": [{"transaction_id": "t0"}],
            "next_cursor": "c2",
            "has_more": False,
        },
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=pages[len(seen) - 1])

    session = boto3.Session(
        aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET, region_name="eu-west-1"
    )
    client = BanksyncClient(API_URL, session, httpx.Client(transport=httpx.MockTransport(answer)))
    changes, cursor = client.sync("acct-1")
    assert changes == [("added", {"transaction_id": "t1"}), ("removed", {"transaction_id": "t0"})]
    assert cursor == "c2"
    assert [dict(parse_qsl(r.url.query.decode())) for r in seen] == [
        {"count": "500"},
        {"count": "500", "cursor": "c1"},
    ]
    for request in seen:
        assert request.url.path == "/accounts/acct-1/transactions/sync"
        assert signature_of(request) == expected_signature(
            request, SECRET, "eu-west-1", "execute-api"
        )


def test_an_error_answer_is_raised_with_its_body() -> None:
    def refuse(_: httpx.Request) -> httpx.Response:
        body: dict[str, Any] = {"error": {"code": "not_found", "message": "no such account"}}
        return httpx.Response(404, json=body)

    session = boto3.Session(
        aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET, region_name="eu-west-1"
    )
    client = BanksyncClient(API_URL, session, httpx.Client(transport=httpx.MockTransport(refuse)))
    with pytest.raises(RuntimeError, match=r"404 .*not_found"):
        client.call("GET", "/accounts/nope")
