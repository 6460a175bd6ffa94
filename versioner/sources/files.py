"""Snapshot files and folders, and standard input, read as captures.

A snapshot folder follows one convention (docs/snapshots-and-ingest.md):
  * in a folder, any `.html`, `.htm`, `.xhtml`, `.txt`, `.text` or extension-less file is a snapshot (walked recursively);
    a file named on the command line is one whatever its name;
  * a sidecar `<file name>.meta.json` may give {"url": ..., "fetched_at": ...}: it wins over the rest;
  * else the URL comes from the HTML's canonical link or og:url, and the fetch time from a UTC timestamp
    in the file name (`2025-02-07T11-54-00Z.html`, `20250207T115400Z.html`), else from the file's mtime.
Command-line --url and --fetched-at override everything. `.warc` and `.warc.gz` files hold many
captures, each with its own URL and time (versioner/sources/warc.py).
"""

import json
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from versioner.capture import MAX_SNAPSHOT_BYTES, Capture
from versioner.errors import SnapshotError, VersionerError
from versioner.times import check_in_range, parse_time
from versioner.urls import canonical_link

SIDECAR_SUFFIX = ".meta.json"
SNAPSHOT_SUFFIXES = {".html", ".htm", ".xhtml", ".txt", ".text", ""}
WARC_SUFFIXES = (".warc", ".warc.gz")
FILENAME_TIME = re.compile(r"(\d{4})-?(\d\d)-?(\d\d)[T_ -]?(\d\d)[-:]?(\d\d)[-:]?(\d\d)?Z?")


def snapshot_files(paths: list[Path]) -> Iterator[Path]:
    """Every snapshot file under the given files and folders, in a stable order, sidecars skipped."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if _is_snapshot_name(child):
                    yield child
        else:
            yield path


def read_file(path: Path, url: str | None = None, fetched_at: datetime | None = None) -> Capture:
    """Read one snapshot file with its URL and fetch time, following the folder convention."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise SnapshotError(f"cannot read {printable_path(path)}: {err.strerror}") from None
    if size > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(
            f"{size / 1e6:.0f} MB is over the {MAX_SNAPSHOT_BYTES // 2**20} MiB snapshot size cap"
        )
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise SnapshotError(f"cannot read {printable_path(path)}: {err.strerror}") from None
    meta = _sidecar(path)
    return Capture(
        raw=raw,
        url=url or meta.get("url") or canonical_link(raw),
        fetched_at=fetched_at or _meta_time(meta, path) or _time_in_name(path) or _mtime(path),
        source=f"file:{printable_path(path)}",
        kind_hint=_kind_from_suffix(path),
    )


def read_stdin(url: str | None, fetched_at: datetime | None, now: datetime) -> Capture:
    """Read one snapshot piped in; without --fetched-at it was fetched now."""
    raw = sys.stdin.buffer.read(MAX_SNAPSHOT_BYTES + 1)
    if len(raw) > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(f"standard input is over the {MAX_SNAPSHOT_BYTES // 2**20} MiB snapshot size cap")
    return Capture(raw=raw, url=url or canonical_link(raw), fetched_at=fetched_at or now, source="stdin")


def printable_path(path: Path | str) -> str:
    """A path as text that can be stored and printed, whatever bytes its name holds.

    A name that is not UTF-8 (copied from another system) keeps its odd bytes as \\xNN escapes; as it
    is, SQLite and a UTF-8 stdout would refuse it.
    """
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def is_warc(path: Path) -> bool:
    """A WARC file (versioner/warc.py reads it): many captures in one file."""
    return path.name.lower().endswith(WARC_SUFFIXES)


def _is_snapshot_name(path: Path) -> bool:
    name = path.name
    if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
        return False
    return path.suffix.lower() in SNAPSHOT_SUFFIXES or is_warc(path)


def _kind_from_suffix(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix in (".txt", ".text", ".md"):
        return "text"
    return None


def _sidecar(path: Path) -> dict:
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SnapshotError(f"sidecar {sidecar.name} is not valid JSON: {err}") from None
    if not isinstance(meta, dict):
        raise SnapshotError(f"sidecar {sidecar.name} must hold a JSON object")
    return meta


def _meta_time(meta: dict, path: Path) -> datetime | None:
    if not meta.get("fetched_at"):
        return None
    try:
        return parse_time(str(meta["fetched_at"]))
    except VersionerError as err:
        raise SnapshotError(f"sidecar of {path.name}: {err}") from None


def _time_in_name(path: Path) -> datetime | None:
    match = FILENAME_TIME.search(path.name)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None  # digits that are not a date (a number in a slug): the name gives no time
    try:
        return check_in_range(moment, match.group(0))
    except VersionerError as err:
        raise SnapshotError(f"the time in the file name: {err}; give --fetched-at or a sidecar") from None


def _mtime(path: Path) -> datetime:
    stamp = int(path.stat().st_mtime)
    try:
        moment = datetime.fromtimestamp(stamp, UTC)
    except (OverflowError, OSError, ValueError):
        moment = None
    try:
        if moment is None:
            raise VersionerError(f"the time {stamp!r} is out of range")
        return check_in_range(moment)
    except VersionerError as err:
        raise SnapshotError(
            f"the file's modification time: {err}; give --fetched-at, a sidecar or a time in the file name"
        ) from None
