"""Canonical article URLs: the same story reached by two links must be one article."""

import functools
import html
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from versioner.errors import BadURL

MAX_URL_LENGTH = 2048
# Where a page names its own URL: <link rel=canonical href=...>, else <meta property=og:url content=...>.
CANONICAL_LINK = re.compile(
    rb"""<link\b[^>]*\brel=["']?canonical\b[^>]*>|<meta\b[^>]*\bproperty=["']og:url["'][^>]*>""",
    re.IGNORECASE,
)
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

    Raises BadURL for anything but an absolute http(s) URL, so `javascript:` or `file:` never get in.
    """
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH or any(ord(ch) < 32 or ch == " " for ch in url):
        raise BadURL(f"not a usable URL: {url[:80]!r}")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise BadURL(f"only http and https URLs are accepted, not {scheme or 'a relative URL'}: {url[:80]!r}")
    try:
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError as err:
        raise BadURL(f"malformed URL {url[:80]!r}: {err}") from None
    if not host:
        raise BadURL(f"URL has no host: {url[:80]!r}")
    netloc = host if ":" not in host else f"[{host}]"
    if port and port != {"http": 80, "https": 443}[scheme]:
        netloc += f":{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


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
        except (UnicodeDecodeError, BadURL):
            continue
    return None


def same_site(url: str, other: str) -> bool:
    """Same host up to `www.`, or one a subdomain of the other (m.example.org and example.org)."""
    a, b = site_of(url), site_of(other)
    return a == b or a.endswith("." + b) or b.endswith("." + a)
