"""Which hosts versioner may fetch from: public addresses only, unless the user allows private ones.

Every host, redirect targets included, is resolved and refused when it lands on a loopback, private,
link-local, multicast, reserved or cloud-metadata address; fetch.py then connects to the address that
was checked, so DNS cannot answer differently between the check and the connection.
"""

import ipaddress
import socket

import httpx

from versioner.errors import FetchError, PrivateAddress
from versioner.urls import canonical_url

# Metadata services that answer credentials to any process on a cloud machine; most are also in ranges
# refused anyway, but they are named so the refusal says what they are.
METADATA_ADDRESSES = {
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
}


def check_url(url: str, allow_private: bool = False) -> str:
    """The canonical form of a URL that may be fetched; BadURL or PrivateAddress otherwise."""
    url = canonical_url(url)
    parsed = httpx.URL(url)
    resolve(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80), allow_private)
    return url


def resolve(host: str, port: int, allow_private: bool = False) -> list[str]:
    """The addresses to connect to for a host; PrivateAddress where any of them is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise FetchError(f"cannot resolve {host}: {err}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private:
        for address in addresses:
            why = forbidden_reason(ipaddress.ip_address(address.split("%")[0]))
            if why:
                raise PrivateAddress(
                    f"{host} resolves to {address}, {why}: refused as a private address "
                    "(pass --allow-private to fetch it anyway)"
                )
    return addresses


def forbidden_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address must not be fetched from, or None for a public one.

    IPv6 forms that carry an IPv4 address (mapped, 6to4, Teredo) are judged by that address too.
    """
    for candidate in _with_embedded(address):
        if candidate in METADATA_ADDRESSES:
            return "a cloud metadata address"
        for name, flag in (
            ("loopback", candidate.is_loopback),
            ("link-local", candidate.is_link_local),
            ("multicast", candidate.is_multicast),
            ("unspecified", candidate.is_unspecified),
            ("reserved", candidate.is_reserved),
            ("private", candidate.is_private),
        ):
            if flag:
                return f"a {name} address"
        if not candidate.is_global:
            return "not a public address"
    return None


def _with_embedded(address) -> list:
    found = [address]
    if isinstance(address, ipaddress.IPv6Address):
        found += [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
        if address.teredo:
            found += list(address.teredo)
    return found
