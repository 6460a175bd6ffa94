"""Captures: the raw bytes of one fetched copy of an article, with where and when it was fetched.

Every source (versioner/sources/: files and folders, stdin, WARC, HTTP fetches; the upload API) yields
Captures, and versioner.versioning.ingest takes them one at a time.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message

from versioner.errors import SnapshotError
from versioner.times import check_in_range, to_iso

MAX_SNAPSHOT_BYTES = 20 * 1024 * 1024
# A fetch time further ahead of this machine's clock is a mistake (a wrong zone, a typo, a file dated by a
# wrong clock), not a capture: it would stay "the latest version" until that time. The upload API agrees.
MAX_CLOCK_SKEW = timedelta(minutes=5)
CONTENT_KINDS = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}


@dataclass(frozen=True)
class Capture:
    """One fetched copy, before any interpretation."""

    raw: bytes
    url: str | None
    fetched_at: datetime
    source: str
    kind_hint: str | None = None  # "html" or "text" where the container says so (extension, Content-Type)
    http_status: int | None = None
    charset: str | None = None  # the charset the server declared (Content-Type), a hint for decoding
    # The HTTP response headers, in order, where the source knew them (a fetch, a WARC record): the
    # WARC export writes them back. None when unknown (files, stdin, a plain upload).
    http_headers: tuple[tuple[str, str], ...] | None = None
    requested_url: str | None = (
        None  # the URL asked for, where redirects led elsewhere: an alias of the article
    )

    def headers_json(self) -> str | None:
        """The headers as the captures table keeps them: a JSON list of [name, value]."""
        return None if self.http_headers is None else json.dumps([list(pair) for pair in self.http_headers])


def check_not_future(fetched_at: datetime, at: datetime) -> datetime:
    """fetched_at in UTC, unless it is more than MAX_CLOCK_SKEW after `at` (now): then SnapshotError.

    A fetch time before times.EARLIEST is refused too (VersionerError), whichever source made it.
    """
    fetched_at = check_in_range(fetched_at)
    if fetched_at > at + MAX_CLOCK_SKEW:
        raise SnapshotError(
            f"fetched at {to_iso(fetched_at)}, which is in the future: the clock here says {to_iso(at)} "
            f"(at most {MAX_CLOCK_SKEW.seconds // 60} minutes ahead is accepted)"
        )
    return fetched_at


def kind_and_charset(content_type: str | None) -> tuple[str | None, str | None]:
    """A Content-Type header's kind hint ("html", "text" or None for anything else) and declared charset."""
    if not content_type:
        return None, None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return CONTENT_KINDS.get(message.get_content_type()), charset if isinstance(charset, str) else None
