"""Memento (RFC 7089) without the web: the version in force at a time, RFC 1123 dates, link-format text.

A memento of an article is one of its versions, dated by its first capture: from then until the next
version's first capture, that text is what the URL said. The web side (versioner/web/memento.py) only
looks articles up and writes these answers out.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

from versioner.errors import VersionerError
from versioner.store import VersionInfo
from versioner.times import parse_time

ACCEPT_DATETIME_EXAMPLE = "Thu, 01 Jan 2026 12:00:00 GMT"


class BadAcceptDatetime(VersionerError):
    """An Accept-Datetime header that is not an HTTP date (the TimeGate answers 400)."""


@dataclass(frozen=True)
class Link:
    """One entry of a Link header or a link-format TimeMap (RFC 8288)."""

    target: str
    rel: str
    params: tuple[tuple[str, str], ...] = ()

    def render(self) -> str:
        # Every value quoted: rel lists ("first memento") and dates hold spaces and commas.
        extra = "".join(f'; {name}="{_quoted(value)}"' for name, value in self.params)
        return f'<{_target(self.target)}>; rel="{self.rel}"{extra}'


def link_format(links: Sequence[Link], separator: str = ", ") -> str:
    """A Link header value (one line), or a TimeMap body with separator ",\\n"."""
    return separator.join(link.render() for link in links)


def http_date(iso: str) -> str:
    """A stored ISO 8601 UTC time as an RFC 1123 date in GMT, the only form Memento clients read."""
    return format_datetime(parse_time(iso), usegmt=True)


def parse_accept_datetime(text: str) -> datetime:
    """An Accept-Datetime value as an aware UTC datetime; BadAcceptDatetime names the expected form.

    RFC 7089 asks for RFC 1123 in GMT; other RFC 2822 zones are converted rather than refused, as
    clients that send "+0000" mean the same moment.
    """
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is None:
        raise BadAcceptDatetime(
            f"Accept-Datetime must be an HTTP date such as {ACCEPT_DATETIME_EXAMPLE!r}, not {text[:60]!r}"
        )
    if moment.tzinfo is None:  # "-0000" reads as no zone: RFC 2822 says it is UTC all the same
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def in_force(versions: Sequence[VersionInfo], moment: datetime | None) -> VersionInfo:
    """The version whose span covers `moment`: the last first seen at or before it; before the first
    version, the first; no moment, the latest. `versions` is in order and not empty."""
    if moment is None:
        return versions[-1]
    chosen = versions[0]
    for version in versions:
        if parse_time(version.first_seen) > moment:
            break
        chosen = version
    return chosen


def memento_rel(version: VersionInfo, versions: Sequence[VersionInfo]) -> str:
    """The rel of a memento in a list: "first memento", "last memento", both, or "memento"."""
    words = []
    if version.n == versions[0].n:
        words.append("first")
    if version.n == versions[-1].n:
        words.append("last")
    return " ".join([*words, "memento"])


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _target(url: str) -> str:
    """The URL as a header may carry it: ASCII, with `<`, `>` and spaces escaped (escapes kept as they are)."""
    return quote(url, safe="!#$%&'()*+,/:;=?@[]~")
