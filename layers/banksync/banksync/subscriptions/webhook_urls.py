"""Where banksync may POST: https only, never into a private network.

Every address the host resolves to must be public: no private, loopback,
link-local (the metadata service), reserved or multicast range, and no IPv6
address that carries such an IPv4 address inside it (IPv4-mapped, NAT64,
6to4, IPv4-compatible). Deliveries resolve and check again before every
attempt and then connect to the very address they checked, so a DNS answer
that changes in between cannot redirect them.
"""

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[str]]
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT, RFC 2765


def resolve_host(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def webhook_url_problem(
    url: str, allow_loopback_http: bool = False, resolve: Resolver | None = None
) -> str | None:
    """Why ``url`` may not receive webhooks, or None if it may."""
    return checked_addresses(url, allow_loopback_http, resolve)[0]


def checked_addresses(
    url: str, allow_loopback_http: bool = False, resolve: Resolver | None = None
) -> tuple[str | None, list[str]]:
    """(why not, None if fine; the addresses that were checked, to connect to)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError as error:  # a port that is no number or out of range, a bad [host]
        return f"is not a valid URL ({error})", []
    if not host:
        return "must be an absolute URL", []
    if port == 0:
        return "port must be from 1 to 65535", []
    if parts.username or parts.password:
        return "must not carry credentials", []
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        return "must not contain spaces or control characters", []
    try:
        addresses = [ipaddress.ip_address(a) for a in (resolve or resolve_host)(host)]
    except (OSError, ValueError):
        return f"host {host} does not resolve", []
    if not addresses:
        return f"host {host} does not resolve", []
    names = [str(a) for a in addresses]
    if allow_loopback_http and all(a.is_loopback for a in addresses):
        return (None if parts.scheme in ("http", "https") else "must be http(s)"), names
    if parts.scheme != "https":
        return "must use https", names
    for address in addresses:
        if not _public(address):
            return f"resolves to a non-public address ({address})", names
    return None, names


def _public(address: Address) -> bool:
    if not address.is_global or address.is_multicast:
        return False
    embedded = _embedded_ipv4(address)
    return embedded is None or _public(embedded)


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if any(address in network for network in (*NAT64, IPV4_COMPATIBLE, IPV4_TRANSLATED)):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
