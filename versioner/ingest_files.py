"""Ingest many snapshots in one run: each one on its own, so a bad file never stops the others.

A WARC file holds many captures (versioner/sources/warc.py): each of its records is ingested, or fails, on its own.
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import click

from versioner.capture import Capture, check_not_future
from versioner.errors import VersionerError
from versioner.sources.files import is_warc, printable_path, read_file, read_stdin, snapshot_files
from versioner.store import BatchLost, Store
from versioner.times import now
from versioner.versioning import IngestResult, ingest


@dataclass
class Summary:
    """Counts of what a run did, and the files that failed with why."""

    results: list[IngestResult] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    committed: int = 0  # results[:committed] are committed; the rest wait for the batch's commit
    interrupted: bool = False  # Ctrl-C stopped the run: what is counted was committed, the rest not read

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def to_json(self) -> dict:
        return {
            "captures": len(self.results),
            "new_versions": self.count("new version"),
            "unchanged": self.count("unchanged"),
            "duplicates": self.count("duplicate"),
            "rejected": self.count("rejected") + self.count("truncated"),
            "errors": self.errors,
            **({"interrupted": True} if self.interrupted else {}),
            "results": [
                {
                    "source": r.source,
                    "status": r.status,
                    "article": r.article_id,
                    "url": r.url,
                    "version": r.version,
                    "revert_of": r.revert_of,
                    "reason": r.reason,
                }
                for r in self.results
            ],
        }

    def describe(self) -> str:
        parts = [
            f"{len(self.results)} captures",
            f"{self.count('new version')} new versions",
            f"{self.count('unchanged')} unchanged",
            f"{self.count('duplicate')} duplicates skipped",
            f"{self.count('rejected') + self.count('truncated')} rejected",
            f"{len(self.errors)} errors",
        ]
        return ", ".join(parts)


def ingest_paths(
    store: Store,
    paths: list[Path],
    url: str | None = None,
    fetched_at: datetime | None = None,
    progress: bool = False,
) -> Summary:
    """Ingest files, folders and '-' (stdin); errors are collected per file, never raised.

    --url and --fetched-at do not apply to WARC files: each record carries its own. A fetch time in the
    future (beyond MAX_CLOCK_SKEW) is an error for that capture, wherever it came from.

    Ctrl-C stops the run between captures or inside one (whose unit is rolled back): the captures done
    before it are committed, and the summary says so (`interrupted`).
    """
    summary = Summary()
    files = [p for p in _expand(paths)]
    bar = click.progressbar(files, label="Ingesting", file=None if progress else _Silent())
    with bar, store.batch():
        try:
            for path in bar:
                _ingest_path(store, path, url, fetched_at, summary)
        except KeyboardInterrupt:
            summary.interrupted = True  # leaving the batch commits what was done
    summary.committed = len(summary.results)
    return summary


def _ingest_path(
    store: Store, path: Path, url: str | None, fetched_at: datetime | None, summary: Summary
) -> None:
    if str(path) != "-" and is_warc(path):
        _ingest_warc(store, path, summary)
        return
    try:
        capture = read_stdin(url, fetched_at, now()) if str(path) == "-" else read_file(path, url, fetched_at)
    except VersionerError as err:
        summary.errors.append({"file": printable_path(path), "error": str(err)})
        return
    _store_one(store, capture, printable_path(path), summary)


def _store_one(store: Store, capture: Capture, name: str, summary: Summary) -> None:
    """Ingest one capture inside the run's batch, committing the batch when it is due."""
    try:
        check_not_future(capture.fetched_at, now())
        summary.results.append(ingest(store, capture))
    except BatchLost as err:
        for lost in summary.results[summary.committed :]:
            summary.errors.append({"file": lost.source, "error": f"not stored, run ingest again: {err}"})
        del summary.results[summary.committed :]
        summary.errors.append({"file": name, "error": str(err)})
    except VersionerError as err:
        summary.errors.append({"file": name, "error": str(err)})
    if store.commit_if_due():
        summary.committed = len(summary.results)


def _ingest_warc(store: Store, path: Path, summary: Summary) -> None:
    from versioner.sources.warc import read_warc  # imported here: warcio is needed only for WARC files

    try:
        with path.open("rb") as stream:
            for item in read_warc(stream, printable_path(path)):
                if item.error:
                    summary.errors.append({"file": item.source, "error": item.error})
                    continue
                _store_one(store, item.capture, item.source, summary)
    except OSError as err:
        name = printable_path(path)
        summary.errors.append({"file": name, "error": f"cannot read {name}: {err.strerror}"})


def _expand(paths: list[Path]):
    for path in paths:
        if str(path) == "-":
            yield path
        elif not path.exists():
            yield path  # read_file reports it as an error for this path
        else:
            yield from snapshot_files([path])


class _Silent:
    """A file that swallows the progress bar under cron."""

    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass
