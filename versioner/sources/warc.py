"""WARC files (wget --warc-file, Browsertrix, any archiving crawler) → captures, one per HTML response.

Each `response` record whose HTTP Content-Type is HTML or plain text becomes a capture with the record's
target URI, WARC-Date, HTTP status and headers; so does each `resource` record of such a type (a file
archived without HTTP, as `versioner export warc` writes snapshot files). Request, metadata, revisit
and other records, and responses of other types (images, scripts), are skipped. A record that cannot
be read is an error for that record only; a file that stops being WARC midway (truncated, corrupt
gzip) ends with an error for the rest.
"""

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader

from versioner.capture import MAX_SNAPSHOT_BYTES, Capture, kind_and_charset
from versioner.errors import SnapshotError, VersionerError
from versioner.times import parse_time


@dataclass(frozen=True)
class WarcItem:
    """A capture from one record, or why that record could not be one."""

    source: str  # file@offset
    capture: Capture | None = None
    error: str | None = None


def read_warc(stream: BinaryIO, name: str) -> Iterator[WarcItem]:
    """Every HTML or text response record in a WARC stream (gzip per record or plain)."""
    records = ArchiveIterator(stream, arc2warc=True)
    read_up_to = 0
    try:
        for record in records:
            try:
                capture, error = _capture(record), None
            except VersionerError as err:
                capture, error = None, str(err)
            if not _read_whole(record):
                capture, error = None, "the record is cut short: the WARC file is truncated or damaged here"
            # The offset is known once the record was read to its end (asked earlier, warcio skips the body).
            offset, length = records.get_record_offset(), records.get_record_length()
            read_up_to = offset + length
            source = f"{name}@{offset}"
            if capture is not None:
                yield WarcItem(source, capture=replace(capture, source=source))
            elif error is not None:
                yield WarcItem(source, error=error)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as err:
        yield WarcItem(f"{name}@{read_up_to}", error=f"the WARC file cannot be read from here on: {err}")
        return
    if _damaged_after(stream, read_up_to):
        # warcio ends quietly at a truncated gzip member: what is left past the last whole record says so.
        yield WarcItem(
            f"{name}@{read_up_to}",
            error="the WARC file cannot be read from here on: the rest is a truncated or damaged record",
        )


def _read_whole(record) -> bool:
    """True when the record's block was there to its declared Content-Length (warcio does not check)."""
    block = record.raw_stream
    while block.read(65536):
        pass
    return isinstance(block, LimitReader) and block.limit == 0


def _damaged_after(stream: BinaryIO, offset: int) -> bool:
    if not stream.seekable():
        return False
    stream.seek(offset)
    return bool(stream.read(65536).strip())


def _capture(record) -> Capture | None:
    if record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type")
    elif record.rec_type == "response" and record.http_headers is not None:
        content_type = record.http_headers.get_header("Content-Type")
    else:
        return None
    kind, charset = kind_and_charset(content_type)
    if kind is None:
        return None
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    date = record.rec_headers.get_header("WARC-Date")
    if not date:
        raise SnapshotError("the record has no WARC-Date")
    status, headers = None, None
    if record.rec_type == "response":
        try:
            status = int(record.http_headers.get_statuscode())
        except (TypeError, ValueError):
            raise SnapshotError("the record's HTTP status line cannot be read") from None
        headers = tuple((str(name), str(value)) for name, value in record.http_headers.headers)
    raw = record.content_stream().read(MAX_SNAPSHOT_BYTES + 1)
    if len(raw) > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(f"the record's body is over the {MAX_SNAPSHOT_BYTES // 2**20} MiB size cap")
    return Capture(
        raw=raw,
        url=url or None,
        fetched_at=parse_time(date),
        source="",
        kind_hint=kind,
        http_status=status,
        charset=charset,
        http_headers=headers,
    )
