"""RSS and Atom feeds → the article links they announce (feedparser reads every dialect in use)."""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from versioner.capture import MAX_CLOCK_SKEW
from versioner.errors import BadURL, SnapshotError
from versioner.times import EARLIEST, now
from versioner.urls import canonical_url

# Entries read from one feed: a real feed lists its latest few dozen; a hostile one with 100,000 would
# make as many tracked articles in one poll. The rest of a longer feed is left out, and counted.
MAX_ITEMS = 500
MAX_TITLE_CHARACTERS = 300
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


@dataclass(frozen=True)
class FeedItem:
    """One entry's link (canonical) and publication time, if it gives a plausible one."""

    url: str
    published: datetime | None


@dataclass(frozen=True)
class Feed:
    title: str
    items: tuple[FeedItem, ...]
    skipped: int  # entries without a usable http(s) link of their own
    cut: int = 0  # entries past MAX_ITEMS, not read at all


def parse_feed(raw: bytes, feed_url: str) -> Feed:
    """Read a fetched feed; SnapshotError when the bytes are not a feed at all.

    Relative links are resolved against the feed's URL; `javascript:` and other non-http links are
    skipped, as canonical_url refuses them, and so is an entry whose link is missing, empty or only a
    fragment: resolved, it would be the feed's own URL, tracked as an article.
    """
    parsed = feedparser.parse(raw, response_headers={"content-location": feed_url})
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = getattr(parsed, "bozo_exception", None) or "no RSS or Atom structure"
        raise SnapshotError(f"{feed_url} is not a readable feed: {reason}")
    own_url = _canonical_or_none(feed_url)
    entries = parsed.entries[:MAX_ITEMS]
    items, skipped, seen = [], 0, set()
    for entry in entries:
        link = entry.get("link")
        link = link.strip() if isinstance(link, str) else ""
        url = _canonical_or_none(urljoin(feed_url, link)) if link and not link.startswith("#") else None
        if url is None or url == own_url:
            skipped += 1
            continue
        if url not in seen:
            seen.add(url)
            items.append(FeedItem(url, _entry_time(entry)))
    return Feed(
        title=_plain_title(parsed.feed.get("title")),
        items=tuple(items),
        skipped=skipped,
        cut=len(parsed.entries) - len(entries),
    )


def _canonical_or_none(url: str) -> str | None:
    try:
        return canonical_url(url)
    except (BadURL, ValueError):
        return None


def _plain_title(title) -> str:
    """A feed's title as one line of text: no control characters (terminal escapes), bounded."""
    if not isinstance(title, str):
        return ""
    return " ".join(CONTROL.sub(" ", title).split())[:MAX_TITLE_CHARACTERS]


def _entry_time(entry) -> datetime | None:
    """The entry's publication (else update) time in UTC; None when absent, unreadable or implausible
    (before EARLIEST, or later than now by more than the clock skew): a feed's date never stops a read."""
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(stamp), UTC)  # feedparser gives UTC struct_time
    except (OverflowError, OSError, ValueError, TypeError):
        return None
    return moment if EARLIEST <= moment <= now() + MAX_CLOCK_SKEW else None
