"""Which hosts versioner may fetch from: public addresses only, private ones for the hosts the user
allowed, cloud metadata services never.

Every host, redirect targets included, is resolved and refused when it lands on a loopback, private,
link-local, multicast, reserved or cloud-metadata address; fetch.py then connects to the address that
was checked, so DNS cannot answer differently between the check and the connection. --allow-private
lifts the refusal of private addresses for the host of the URL or feed it was given with (poll.py
keeps the list), never for a metadata address: those hand any process on the machine its credentials.
"""

import ipaddress
import socket
import threading

import httpx

from versioner.errors import FetchError, PrivateAddress
from versioner.urls import canonical_url

# Metadata and credential services of cloud machines, refused even with --allow-private. IPv4
# link-local is where nearly every cloud puts them (AWS, GCP, Azure, Oracle, DigitalOcean: .169.254; AWS
# ECS and EKS: 169.254.170.x; Tencent: 169.254.0.23), so all of it; then AWS's IPv6 services, GCP's IPv6
# metadata server, Alibaba's, Azure's WireServer (a public address) and Oracle's older one.
METADATA_NETWORKS = [
    ipaddress.ip_network(network)
    for network in (
        "169.254.0.0/16",
        "fd00:ec2::/64",
        "fd20:ce::254/128",
        "100.100.100.200/32",
        "168.63.129.16/32",
        "192.0.0.192/32",
    )
]
# IPv6 prefixes whose last 32 bits are an IPv4 address that a connection may end up at: mapped,
# translated (SIIT), NAT64 and the old IPv4-compatible form.
EMBEDDING_NETWORKS = [
    ipaddress.ip_network(network) for network in ("::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "::/96")
]


def check_url(url: str, allow_private: bool = False) -> str:
    """The canonical form of a URL that may be fetched; BadURL or PrivateAddress otherwise."""
    url = canonical_url(url)
    parsed = httpx.URL(url)
    resolve(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80), allow_private)
    return url


def host_of(url: str) -> str:
    """A URL's host as fetch.py compares it with the hosts allowed private addresses ("" for none)."""
    try:
        return httpx.URL(url).host
    except httpx.InvalidURL:
        return ""


def resolve(host: str, port: int, allow_private: bool = False, within: float | None = None) -> list[str]:
    """The addresses to connect to for a host; PrivateAddress where any of them is a metadata address,
    or not public unless allow_private. FetchError when the lookup takes more than `within` seconds."""
    infos = _lookup(host, port) if within is None else _lookup_within(host, port, within)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        why = forbidden_reason(ipaddress.ip_address(address.split("%")[0]))
        if why == METADATA:
            raise PrivateAddress(
                f"{host} resolves to {address}, {why}: refused always, even with --allow-private "
                "(cloud metadata services hand out the machine's credentials)"
            )
        if why and not allow_private:
            raise PrivateAddress(
                f"{host} resolves to {address}, {why}: refused as a private address "
                "(track or follow a URL of this host with --allow-private to fetch it)"
            )
    return addresses


def _lookup(host: str, port: int) -> list:
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as err:
        raise FetchError(f"cannot resolve {host}: {err}") from None


def _lookup_within(host: str, port: int, seconds: float) -> list:
    """getaddrinfo cannot be interrupted, and a site's own name server may answer as slowly as it likes:
    the lookup runs in a thread of its own, left to finish alone (the system resolver gives up in time)."""
    found: list = []

    def lookup() -> None:
        try:
            found.append(_lookup(host, port))
        except FetchError as err:
            found.append(err)

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(seconds)
    if not found:
        raise FetchError(f"cannot resolve {host}: no answer within {seconds:.3g} s")
    if isinstance(found[0], FetchError):
        raise found[0]
    return found[0]


def forbidden_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address must not be fetched from, or None for a public one.

    IPv6 forms that carry an IPv4 address (mapped, 6to4, Teredo) are judged by that address too.
    """
    candidates = _with_embedded(address)
    if any(candidate in network for candidate in candidates for network in METADATA_NETWORKS):
        return METADATA
    for candidate in candidates:
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


METADATA = "a cloud metadata address"


def _with_embedded(address) -> list:
    found = [address]
    if isinstance(address, ipaddress.IPv6Address):
        found += [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
        if address.teredo:
            found += list(address.teredo)
        if int(address) > 1 and any(address in network for network in EMBEDDING_NETWORKS):
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found
