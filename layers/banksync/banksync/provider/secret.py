"""The provider secret key, read from Secrets Manager and cached."""

from aws_lambda_powertools.utilities import parameters


class SecretKey:
    def __init__(self, secret_name: str, max_age: int = 300) -> None:
        self._secret_name = secret_name
        self._max_age = max_age

    def __call__(self) -> str:
        value = parameters.get_secret(self._secret_name, max_age=self._max_age)
        if not isinstance(value, str) or not value:
            raise RuntimeError("the provider secret key is empty or binary")
        return value
