"""Canonical article URLs: the same story reached by two links must be one article."""

import functools
import html
import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import idna

from versioner.errors import BadURL

MAX_URL_LENGTH = 2048
# Where a page names its own URL: <link rel=canonical href=...>, else <meta property=og:url content=...>.
CANONICAL_LINK = re.compile(
    rb"""<link\b[^>]*\brel=["']?canonical\b[^>]*>|<meta\b[^>]*\bproperty=["']og:url["'][^>]*>""",
    re.IGNORECASE,
)
HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
NUMERIC_LABEL = re.compile(r"\d+|0x[0-9a-f]*")
DECIMAL_OCTET = re.compile(r"0|[1-9]\d?|1\d\d|2[0-4]\d|25[0-5]")
HREF = re.compile(rb"""\b(?:href|content)=["']?([^"'\s>]+)""", re.IGNORECASE)

# Query parameters that identify a campaign or a click, never the article.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ocid",
        "cmpid",
        "wt_mc",
        "wt_zmc",
        "ref",
        "ref_src",
        "_ga",
        "yclid",
        "twclid",
        "at_medium",
        "at_campaign",
        "xtor",
    }
)


@functools.lru_cache(maxsize=4096)  # a batch or a poll run meets the same article URLs again and again
def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop the fragment, default port and tracking parameters.

    The one URL parser: what it returns, every later step (the address check, the fetch, the store)
    reads the same way. Raises BadURL with the reason for anything but an absolute http(s) URL with a
    plain host, so `javascript:`, `file:` or a host two parsers would read differently never get in.
    """
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH or any(ord(ch) < 32 or ch in " \x7f" for ch in url):
        raise BadURL(f"not a usable URL: {url[:80]!r}")
    try:
        parts = urlsplit(url)
    except ValueError as err:  # "Invalid IPv6 URL": an unclosed [
        raise BadURL(f"malformed URL {url[:80]!r}: {err}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise BadURL(f"only http and https URLs are accepted, not {scheme or 'a relative URL'}: {url[:80]!r}")
    if "\\" in parts.netloc:  # browsers read a backslash as a slash, urllib as part of the host
        raise BadURL(f"a backslash before the path is refused: {url[:80]!r}")
    try:
        raw_host = parts.hostname or ""
        port = parts.port
    except ValueError as err:
        raise BadURL(f"malformed URL {url[:80]!r}: {err}") from None
    if not raw_host:
        raise BadURL(f"URL has no host: {url[:80]!r}")
    if port == 0:
        raise BadURL(f"port 0 cannot be fetched: {url[:80]!r}")
    host = canonical_host(raw_host, url)
    netloc = host if ":" not in host else f"[{host}]"
    if port and port != {"http": 80, "https": 443}[scheme]:
        netloc += f":{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def canonical_host(host: str, url: str = "") -> str:
    """A host as every step reads it: IDNA A-labels in lower case, a plain dotted-quad or an IPv6 address.

    IPv4 in any other form (octal 0177.0.0.1, zero-padded 127.000.000.001, hex, short 127.1, one
    number) is refused rather than converted: resolvers, browsers and address checks disagree on it,
    and no article lives at such an address.
    """
    shown = url[:80] or host
    if ":" in host:
        if "%" in host:
            raise BadURL(f"an IPv6 zone index names this machine's interface, not a site: {shown!r}")
        try:
            return ipaddress.IPv6Address(host).compressed
        except ValueError:
            raise BadURL(f"not an IPv6 address: {shown!r}") from None
    host = host.rstrip(".")
    if not host.isascii():
        try:  # UTS 46 maps full-width letters, digits and dots to ASCII, as browsers do
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as err:
            raise BadURL(f"not a valid international host name ({err}): {shown!r}") from None
    host = host.lower().rstrip(".")
    labels = host.split(".")
    if len(host) > 253 or not all(HOST_LABEL.fullmatch(label) for label in labels):
        raise BadURL(f"not a valid host name: {shown!r}")
    for label in labels:
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError):
                raise BadURL(f"not a valid international host name ({label}): {shown!r}") from None
    if NUMERIC_LABEL.fullmatch(labels[-1]):  # WHATWG reads such a host as an IPv4 address
        if not all(DECIMAL_OCTET.fullmatch(label) for label in labels) or len(labels) != 4:
            raise BadURL(
                f"an IPv4 address must be four decimal numbers 0-255 without leading zeros: {shown!r}"
            )
    return host


def site_of(url: str) -> str:
    """The site an article belongs to: its host without a leading www."""
    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def canonical_link(raw: bytes, base_url: str = "") -> str | None:
    """The URL a page gives for itself (canonical link, else og:url), absolute and canonical, or None.

    Without a base URL (a file on disk) only an absolute link counts.
    """
    head = raw[:65536]
    end = head.lower().find(b"</head>")
    tags = CANONICAL_LINK.findall(head[:end] if end > 0 else head)
    for tag in sorted(tags, key=lambda tag: not tag[:5].lower().startswith(b"<link")):  # canonical first
        found = HREF.search(tag)
        if not found:
            continue
        try:
            href = html.unescape(found.group(1).decode("utf-8")).strip()  # &amp; in an attribute is &
            return canonical_url(urljoin(base_url, href))
        except (UnicodeDecodeError, ValueError, BadURL):  # urljoin raises ValueError on http://[::1/
            continue  # a malformed link is no link: the capture falls back to its other URL, or has none
    return None


def same_site(url: str, other: str) -> bool:
    """Same host up to `www.`, or one a subdomain of the other (m.example.org and example.org)."""
    a, b = site_of(url), site_of(other)
    return a == b or a.endswith("." + b) or b.endswith("." + a)
