"""RSS and Atom feeds → the article links they announce (feedparser reads every dialect in use)."""

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from versioner.errors import BadURL, SnapshotError
from versioner.urls import canonical_url


@dataclass(frozen=True)
class FeedItem:
    """One entry's link (canonical) and publication time, if it gives one."""

    url: str
    published: datetime | None


@dataclass(frozen=True)
class Feed:
    title: str
    items: tuple[FeedItem, ...]
    skipped: int  # entries without a usable http(s) link


def parse_feed(raw: bytes, feed_url: str) -> Feed:
    """Read a fetched feed; SnapshotError when the bytes are not a feed at all.

    Relative links are resolved against the feed's URL; `javascript:` and other non-http links are
    skipped, as canonical_url refuses them.
    """
    parsed = feedparser.parse(raw, response_headers={"content-location": feed_url})
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = getattr(parsed, "bozo_exception", None) or "no RSS or Atom structure"
        raise SnapshotError(f"{feed_url} is not a readable feed: {reason}")
    items, skipped, seen = [], 0, set()
    for entry in parsed.entries:
        try:
            url = canonical_url(urljoin(feed_url, entry.get("link") or ""))
        except BadURL:
            skipped += 1
            continue
        if url not in seen:
            seen.add(url)
            items.append(FeedItem(url, _entry_time(entry)))
    return Feed(title=parsed.feed.get("title", ""), items=tuple(items), skipped=skipped)


def _entry_time(entry) -> datetime | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return None
    return datetime.fromtimestamp(calendar.timegm(stamp), UTC)  # feedparser gives UTC struct_time
