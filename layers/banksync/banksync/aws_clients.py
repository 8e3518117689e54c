"""AWS clients made when first used, for the services only some invocations call.

Each boto3 client costs its cold start the reading and parsing of its service
model, so a function makes at start only the clients every invocation needs:
the operator API's reads never schedule, encrypt or queue anything, and the
deliverer queues only a retry. boto3 has no lazy client of its own.
"""

import threading
from typing import Any

import boto3


class LazyClient:
    """Stands in for ``boto3.client(service)``, which it makes on first use."""

    def __init__(self, service: str) -> None:
        self._service = service
        self._client: Any = None
        self._lock = threading.Lock()  # the deliverer sends from worker threads

    @property
    def made(self) -> bool:
        return self._client is not None

    def __getattr__(self, name: str) -> Any:
        # Only names the proxy lacks come here: every client method, ``meta``, ``exceptions``.
        return getattr(self._made(), name)

    def _made(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    make: Any = boto3.client  # typed per service name, a literal: not ours
                    self._client = make(self._service)
        return self._client
