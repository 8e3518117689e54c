import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from banksync.api_errors import ApiError
from banksync.inbound.auth import WebhookTokenVerifier


@pytest.fixture
def secret_arn(aws: boto3.Session) -> str:
    parameters.clear_caches()
    arn: str = aws.client("secretsmanager").create_secret(Name="token", SecretString="s3cret")[
        "ARN"
    ]
    return arn


def test_the_right_token_passes(secret_arn: str) -> None:
    WebhookTokenVerifier(secret_arn).verify("s3cret")


@pytest.mark.parametrize("presented", [None, "", "s3cre", "s3cret ", "S3CRET", "s3cret-and-more"])
def test_anything_else_is_401(secret_arn: str, presented: str | None) -> None:
    with pytest.raises(ApiError) as caught:
        WebhookTokenVerifier(secret_arn).verify(presented)
    assert caught.value.status == 401
    assert "authorization" in caught.value.fields
    assert caught.value.headers["WWW-Authenticate"].startswith("Bearer")


def test_non_ascii_token_is_401_not_a_crash(secret_arn: str) -> None:
    with pytest.raises(ApiError) as caught:
        WebhookTokenVerifier(secret_arn).verify("s3crét")
    assert caught.value.status == 401


def test_unreadable_secret_fails_closed_with_503(aws: boto3.Session) -> None:
    parameters.clear_caches()
    with pytest.raises(ApiError) as caught:
        WebhookTokenVerifier("no-such-secret").verify("anything")
    assert (caught.value.status, caught.value.code) == (503, "auth_unavailable")


def test_secret_is_cached_between_requests(aws: boto3.Session, secret_arn: str) -> None:
    verifier = WebhookTokenVerifier(secret_arn, max_age=300)
    verifier.verify("s3cret")
    aws.client("secretsmanager").delete_secret(SecretId=secret_arn, ForceDeleteWithoutRecovery=True)
    verifier.verify("s3cret")
