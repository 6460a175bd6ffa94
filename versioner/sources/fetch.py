"""Fetching pages politely and safely: the web end of capture.

Polite: a User-Agent that says who we are, one request at a time per host with a delay between them,
conditional requests so an unchanged page costs a 304, few and short retries. Safe: only http(s); every
host, redirect targets included, is resolved and refused when it lands on a loopback, private,
link-local, multicast, reserved or cloud-metadata address (private ones allowed per host, metadata never),
and the connection is
pinned to the address that was checked, so DNS cannot answer differently between check and connect.
Bounded: an attempt's deadline that covers connecting, the headers and the body (however slowly a
server drips them), a size cap on the decoded bytes read as a stream, a limited number of redirects.
"""

import re
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

import httpx

from versioner import __version__
from versioner.capture import MAX_SNAPSHOT_BYTES, Capture, kind_and_charset
from versioner.errors import BadURL, FetchError, VersionerError
from versioner.sources.addresses import resolve
from versioner.sources.deadline import Deadline
from versioner.sources.inflate import ACCEPT_ENCODING, inflate
from versioner.times import now
from versioner.urls import canonical_link, canonical_url, same_site

CONTACT = re.compile(r"(https?://|mailto:)?[^\s()<>\\\"]+", re.ASCII)
ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_BACKOFF_SECONDS = 30.0
# One attempt (connecting, every redirect, the headers and the whole body) is over within this many timeouts.
ATTEMPT_DEADLINE = 3


@dataclass(frozen=True)
class FetchSettings:
    """How to fetch; the CLI fills it from flags and VERSIONER_* variables."""

    timeout: float = 20.0  # seconds to connect and for each read; an attempt, redirects included, gets 3×
    max_bytes: int = MAX_SNAPSHOT_BYTES
    max_redirects: int = 5
    retries: int = 2  # after the first attempt, on network errors and 429/5xx answers
    backoff: float = 1.0  # seconds before the first retry, doubling after each
    host_delay: float = 1.0  # seconds between the end of one request to a host and the start of the next
    allow_private: bool = False  # every host may be private (metadata addresses never); poll allows per host
    user_agent: str = f"versioner/{__version__}"


def user_agent(contact: str | None = None, replacement: str | None = None) -> str:
    """The User-Agent of our requests: `versioner/VERSION (+CONTACT)`, the operator's contact (a URL or an
    e-mail address) being how a site's admin reaches whoever runs the crawler; or the operator's own string.
    """
    if replacement is not None:
        if not replacement.strip() or not replacement.isprintable() or not replacement.isascii():
            raise VersionerError("the User-Agent must be printable ASCII text on one line")
        return replacement.strip()
    if not contact:
        return f"versioner/{__version__}"
    if not CONTACT.fullmatch(contact.strip()):
        raise VersionerError(f"not a contact for the User-Agent (a URL or an e-mail address): {contact!r}")
    return f"versioner/{__version__} (+{contact.strip()})"


@dataclass(frozen=True)
class Fetched:
    """One HTTP answer to a GET, after redirects."""

    url: str  # the URL asked for
    final_url: str  # where the redirects ended
    status: int
    raw: bytes
    fetched_at: datetime
    kind_hint: str | None  # "html" or "text" from the Content-Type, None for anything else
    charset: str | None
    etag: str | None
    last_modified: str | None
    headers: tuple[tuple[str, str], ...] = ()  # the final answer's, as sent (names in their own case)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def article_url(self) -> str:
        """The final URL, or the page's rel=canonical link where it points within the same site."""
        if self.kind_hint != "text":
            link = canonical_link(self.raw, self.final_url)
            if link and same_site(link, self.final_url):
                return link
        return self.final_url

    def to_capture(self) -> Capture:
        return Capture(
            raw=self.raw,
            url=self.article_url(),
            fetched_at=self.fetched_at,
            source=self.final_url,
            kind_hint=self.kind_hint,
            http_status=self.status,
            charset=self.charset,
            http_headers=self.headers or None,
            requested_url=self.url,
        )


class Fetcher:
    """An HTTP client with versioner's rules; safe to share between threads. Use as a context manager."""

    def __init__(self, settings: FetchSettings | None = None):
        self.settings = settings or FetchSettings()
        # trust_env=False: a proxy from the environment would connect elsewhere than the address checked.
        # No keep-alive: connections are pooled by address, and a TLS connection verified for one host
        # must not carry a request for another host on the same address.
        # Requests go straight to the transport: the client would parse a redirect's Location before
        # we see it (a `javascript:` one raises there), and keep cookies in one jar for the whole run.
        self._transport = httpx.HTTPTransport(
            trust_env=False, limits=httpx.Limits(max_keepalive_connections=0)
        )
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.settings.timeout),
            transport=self._transport,
            trust_env=False,
            headers={
                "User-Agent": self.settings.user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
        )
        self._pacer = HostPacer(self.settings.host_delay)

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        private_hosts: Collection[str] = (),
    ) -> Fetched:
        """GET a page, conditionally where validators are known; FetchError or BadURL when it cannot.

        private_hosts: hosts (as `host_of` gives them) that may resolve to private addresses, at any hop.
        """
        attempt = 0
        while True:
            try:
                fetched, retry_after = self._follow(url, etag, last_modified, private_hosts)
            except httpx.TransportError as err:  # connection refused or reset, timeouts, protocol errors
                if attempt == self.settings.retries:
                    raise FetchError(f"{url}: {_describe(err)} (after {attempt + 1} attempts)") from None
                retry_after = None
            else:
                if fetched.status not in RETRY_STATUSES or attempt == self.settings.retries:
                    return fetched
            time.sleep(self._backoff(attempt, retry_after))
            attempt += 1

    def longest_fetch(self) -> float:
        """Seconds one fetch can take at worst, retries and backoff included (poll sizes its claims on it).

        Not counted: waiting for the turn of a host while another fetch has it (that one is progressing).
        Each attempt: the host's delay before its first request, then the deadline (name lookups
        included), plus one timeout of slack for closing. Each wait between attempts: at most MAX_BACKOFF_SECONDS,
        as a Retry-After header can ask that whatever the backoff.
        """
        settings = self.settings
        attempt = settings.host_delay + (ATTEMPT_DEADLINE + 1) * settings.timeout
        return (settings.retries + 1) * attempt + settings.retries * MAX_BACKOFF_SECONDS

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        wait = self.settings.backoff * 2**attempt
        if retry_after and retry_after.strip().isdigit():
            wait = max(wait, float(retry_after))
        return min(wait, MAX_BACKOFF_SECONDS)

    def _follow(
        self, url: str, etag: str | None, last_modified: str | None, private_hosts: Collection[str]
    ) -> tuple[Fetched, str | None]:
        """One attempt: the request and its redirects, each target checked before it is requested."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = canonical_url(url)
        deadline = Deadline(ATTEMPT_DEADLINE * self.settings.timeout)
        try:
            for _hop in range(self.settings.max_redirects + 1):
                with self._pacer.turn(_host(current)):
                    deadline.start()  # waiting for the turn while another fetch has the host is not ours
                    if deadline.expired:
                        raise FetchError(f"{url}: no answer within {deadline.seconds:g} s")
                    with self._send(current, headers, private_hosts, deadline) as response:
                        location = response.headers.get("location")
                        if response.status_code in REDIRECT_STATUSES and location:
                            current = _redirect_target(url, current, location)
                            continue
                        raw = self._read(response, current, deadline)
                        return self._fetched(url, current, response, raw), response.headers.get("retry-after")
        except httpx.TransportError:
            if deadline.expired:  # the deadline shut the connection under whatever was waiting on it
                raise FetchError(f"{url}: no answer within {deadline.seconds:g} s") from None
            raise
        finally:
            deadline.cancel()
        raise FetchError(f"{url}: more than {self.settings.max_redirects} redirects")

    @contextmanager
    def _send(
        self, url: str, headers: dict, private_hosts: Collection[str], deadline: Deadline
    ) -> Iterator[httpx.Response]:
        """Send a GET to a checked address of the URL's host (the next one if it refuses the connection),
        with the host's name for the Host header and for TLS (SNI and certificate check)."""
        target = httpx.URL(url)
        port = target.port or (443 if target.scheme == "https" else 80)
        allowed = self.settings.allow_private or target.host in private_hosts
        addresses = resolve(target.host, port, allowed, within=deadline.remaining())
        extensions = {"trace": deadline.trace}
        if target.scheme == "https":
            extensions["sni_hostname"] = target.raw_host.decode("ascii")
        headers = {**headers, "Host": target.netloc.decode("ascii")}
        for index, address in enumerate(addresses):
            request = self._client.build_request(
                "GET", target.copy_with(host=address), headers=headers, extensions=extensions
            )
            try:
                response = self._transport.handle_request(request)
                response.request = request
                break
            except httpx.ConnectError:
                if index == len(addresses) - 1 or deadline.expired:
                    raise
        try:
            yield response
        finally:
            response.close()

    def _read(self, response: httpx.Response, url: str, deadline: Deadline) -> bytes:
        """The body, decoded from its Content-Encoding; FetchError past the size cap (on the decoded bytes,
        checked every STEP of them, so a bomb stops there) or the deadline."""
        cap = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"{url}: {int(declared)} bytes is over the {_size(cap)} cap")
        over = FetchError(f"{url}: the page is over the {_size(cap)} cap (stopped reading)")

        def raw() -> Iterator[bytes]:
            size = 0
            for chunk in response.iter_raw():
                size += len(chunk)
                if size > cap:  # compressed yet over the cap: not a page we keep either
                    raise over
                if deadline.expired:
                    raise FetchError(f"{url}: the page took over {deadline.seconds:g} s")
                yield chunk

        chunks, size = [], 0
        for chunk in inflate(raw(), response.headers.get("content-encoding")):
            size += len(chunk)
            if size > cap:
                raise over
            chunks.append(chunk)
        return b"".join(chunks)

    def _fetched(self, url: str, final_url: str, response: httpx.Response, raw: bytes) -> Fetched:
        kind_hint, charset = kind_and_charset(response.headers.get("content-type"))
        return Fetched(
            url=url,
            final_url=final_url,
            status=response.status_code,
            raw=raw,
            fetched_at=now(),
            kind_hint=kind_hint,
            charset=charset,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            headers=tuple(
                (name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers.raw
            ),
        )


class HostPacer:
    """One request at a time per host, and `delay` seconds between them (within this process)."""

    def __init__(self, delay: float):
        self.delay = delay
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            wait = self._last.get(host, float("-inf")) + self.delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self._last[host] = time.monotonic()


def _describe(err: httpx.TransportError) -> str:
    if isinstance(err, httpx.TimeoutException):
        return f"timed out ({type(err).__name__})"
    return str(err) or type(err).__name__


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host
    except httpx.InvalidURL as err:
        raise FetchError(f"{url[:80]!r} cannot be fetched: {err}") from None


def _redirect_target(url: str, current: str, location: str) -> str:
    """Where a redirect points, canonical and fetchable (http(s) only); FetchError otherwise."""
    try:
        target = canonical_url(urljoin(current, location))
        _host(target)
    except (BadURL, FetchError, ValueError) as err:
        raise FetchError(f"{url} redirects to a URL that is not fetched: {err}") from None
    return target


def _size(cap: int) -> str:
    return f"{cap // 2**20} MiB" if cap % 2**20 == 0 else f"{cap} byte"
