"""`versioner export warc`: every raw capture as a WARC/1.1 file that web-archive tools read and replay.

The file opens with a `warcinfo` record; then, article by article and oldest first, each capture's
`response` or `resource` record (versioner/archive/records.py) and a `metadata` record naming the
version it belongs to. Captures are read one at a time from the database and written at once, so the
export holds one capture in memory whatever the archive's size. Ingesting the file into an empty
database gives the same articles, versions and times: every capture is there with its fetch time, under
its article's URL.
"""

import os
import sys
import tempfile
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.warcwriter import WARCWriter

from versioner import __version__
from versioner.archive.records import capture_records
from versioner.errors import VersionerError
from versioner.store import Store
from versioner.times import parse_time, to_iso

WARC_1_1 = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


@dataclass(frozen=True)
class WarcExport:
    """What an export wrote."""

    path: str  # "-" for standard output
    articles: int
    captures: int
    records: int
    compressed: bool


def export_warc(
    store: Store,
    out: str,
    articles: Sequence[str] = (),
    site: str | None = None,
    since: str | None = None,
    gzip: bool | None = None,
) -> WarcExport:
    """Write the captures of the given articles (ids or URLs; all when none), of one site, fetched at or
    after `since`, to `out` (a path, or "-" for standard output).

    Gzip per record when `gzip` is True, or when it is None and `out` ends in .gz. A file is written
    beside its final name and renamed when complete, so an interrupted export leaves no truncated WARC.
    """
    compressed = gzip if gzip is not None else out.lower().endswith(".gz")
    article_ids = [store.article(ref)["id"] for ref in articles]  # NotInArchive names a missing one
    since_iso = to_iso(parse_time(since)) if since else None
    store.hold_snapshot()  # one consistent state of the archive, however long the export takes
    try:
        with _output(out) as stream:
            writer = WARCWriter(stream, gzip=compressed, warc_version="1.1")
            writer.write_record(writer.create_warcinfo_record(_filename(out, compressed), _info()))
            seen, captures = set(), 0
            for row in store.capture_export.rows(article_ids, site, since_iso):
                for record in capture_records(writer, row, store.raw_captures.get(row["raw_hash"])):
                    writer.write_record(record)
                seen.add(row["article_id"])
                captures += 1
    finally:
        store.release_snapshot()
    return WarcExport(out, len(seen), captures, 1 + 2 * captures, compressed)


def _info() -> dict[str, str]:
    return {
        "software": f"versioner/{__version__}",
        "format": "WARC File Format 1.1",
        "conformsTo": WARC_1_1,
        "description": "Raw captures of news articles kept by versioner, each with a metadata record "
        "naming the article version it belongs to",
    }


def _filename(out: str, compressed: bool) -> str:
    if out == "-":
        return "versioner.warc.gz" if compressed else "versioner.warc"
    return Path(out).name


@contextmanager
def _output(out: str):
    """Standard output, or a temporary file beside `out` that becomes `out` once complete."""
    if out == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(out)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    except OSError as err:
        raise VersionerError(f"cannot write {out}: {err.strerror}") from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's owner-only mode
    stream: BinaryIO = os.fdopen(handle, "wb")
    try:
        with stream:
            yield stream
        os.replace(temporary, target)
    except OSError as err:
        Path(temporary).unlink(missing_ok=True)
        raise VersionerError(f"cannot write {out}: {err.strerror}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
