"""Ingest many snapshots in one run: each one on its own, so a bad file never stops the others.

A WARC file holds many captures (warc.py): each of its records is ingested, or fails, on its own.
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import click

from .capture import is_warc, read_file, read_stdin, snapshot_files
from .errors import VersionerError
from .ingest import IngestResult, ingest
from .store import Store
from .times import now


@dataclass
class Summary:
    """Counts of what a run did, and the files that failed with why."""

    results: list[IngestResult] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

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

    --url and --fetched-at do not apply to WARC files: each record carries its own.
    """
    summary = Summary()
    files = [p for p in _expand(paths)]
    with click.progressbar(files, label="Ingesting", file=None if progress else _Silent()) as bar:
        for path in bar:
            if str(path) != "-" and is_warc(path):
                _ingest_warc(store, path, summary)
                continue
            try:
                capture = (
                    read_stdin(url, fetched_at, now())
                    if str(path) == "-"
                    else read_file(path, url, fetched_at)
                )
                summary.results.append(ingest(store, capture))
            except VersionerError as err:
                summary.errors.append({"file": str(path), "error": str(err)})
    return summary


def _ingest_warc(store: Store, path: Path, summary: Summary) -> None:
    from .warc import read_warc  # imported here: warcio is needed only for WARC files

    try:
        with path.open("rb") as stream:
            for item in read_warc(stream, str(path)):
                if item.error:
                    summary.errors.append({"file": item.source, "error": item.error})
                    continue
                try:
                    summary.results.append(ingest(store, item.capture))
                except VersionerError as err:
                    summary.errors.append({"file": item.source, "error": str(err)})
    except OSError as err:
        summary.errors.append({"file": str(path), "error": f"cannot read {path}: {err.strerror}"})


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
