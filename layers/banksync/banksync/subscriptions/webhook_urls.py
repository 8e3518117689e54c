"""Where banksync may POST: https only, never into a private network.

Every address the host resolves to must be public: no private, loopback,
link-local (the metadata service), reserved or multicast range, so that a
subscription cannot turn our deliveries into requests inside someone's network.
Deliveries check again before each attempt, since DNS answers change.
"""

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

Resolver = Callable[[str], list[str]]


def resolve_host(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def webhook_url_problem(
    url: str, allow_loopback_http: bool = False, resolve: Resolver | None = None
) -> str | None:
    """Why ``url`` may not receive webhooks, or None if it may."""
    resolve = resolve or resolve_host
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        return "must be an absolute URL"
    if parts.username or parts.password:
        return "must not carry credentials"
    try:
        addresses = [ipaddress.ip_address(a) for a in resolve(host)]
    except (OSError, ValueError):
        return f"host {host} does not resolve"
    if not addresses:
        return f"host {host} does not resolve"
    if allow_loopback_http and all(a.is_loopback for a in addresses):
        return None if parts.scheme in ("http", "https") else "must be http(s)"
    if parts.scheme != "https":
        return "must use https"
    for address in addresses:
        if not address.is_global or address.is_multicast:
            return f"resolves to a non-public address ({address})"
    return None
