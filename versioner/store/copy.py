"""An archive copied from one store into another (SQLite or PostgreSQL, either way), verified.

Rows are copied as they are, ids included, so permalinks and version numbers stay the same; the tables
derived from them whose form is the store's own (the search index, the outlet statistics) are built
again on the destination by its own code. Each batch is one transaction on the destination, written in
the order of the table's key, so what a killed copy left is always the first rows of each table; a
re-run checks that those are SRC's first rows (else the destination holds something else, and nothing
is written) and goes on after them. The check, like the final verification, compares counts and a
content hash computed the same way on both sides (row_digest.py), which neither the store's column
order nor its collation (the order a key of text sorts in) changes.
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from versioner.errors import CopyError
from versioner.store.postgres import is_postgres_url, safe_location
from versioner.store.row_digest import RowDigest
from versioner.store.store import Store

# The archive's tables, each after the tables its foreign keys point at, with the key it is read in.
# A text's base is an earlier text (a smaller id); a raw capture's base may have any hash, but always a
# smaller depth in the chain of bases, so raw captures go by depth first.
TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("articles", ("id",)),
    ("texts", ("id",)),
    ("raw_blobs", ("depth", "hash")),
    ("versions", ("id",)),
    ("captures", ("id",)),
    ("visible_lines", ("capture_id",)),
    ("capture_urls", ("capture_id",)),
    ("aliases", ("url",)),
    ("feeds", ("id",)),
    ("tracked_urls", ("id",)),
    ("subscriptions", ("id",)),
    ("notifications", ("id",)),
    ("diff_cache", ("key",)),
)
# Built again on the destination (rebuild_derived), never copied: their form is the store's own.
DERIVED = ("paragraphs", "text_paragraphs", "paragraphs_fts", "article_stats", "site_totals")
# Tables whose id a PostgreSQL identity sequence hands out: moved past the copied ids.
SEQUENCED = (
    "articles",
    "texts",
    "versions",
    "captures",
    "feeds",
    "tracked_urls",
    "subscriptions",
    "notifications",
)
BATCH_ROWS = 1000
MAX_PARAMETERS = 999  # per INSERT statement: within every SQLite build's and PostgreSQL's limit

# What the copy is doing, and whether it begins or ends a step (a caller may skip the others).
Progress = Callable[[str, bool], None]


@dataclass(frozen=True)
class TableCopy:
    """One table after a copy: its rows, how many this run wrote, the content hash both sides share."""

    table: str
    rows: int
    copied: int
    sha256: str

    def to_json(self) -> dict:
        return {"table": self.table, "rows": self.rows, "copied": self.copied, "sha256": self.sha256}


def open_stores(src: str, dst: str) -> tuple[Store, Store]:
    """SRC and DST opened for a copy: SRC must exist (an SQLite path is not created) and differ from DST."""
    if _same(src, dst):
        raise CopyError(f"SRC and DST are one database ({safe_location(src)}): give another destination")
    if not is_postgres_url(src) and not Path(src).is_file():
        raise CopyError(f"no database at {src}: SRC must be an existing versioner database")
    source = Store(src)
    try:
        return source, Store(dst)
    except BaseException:
        source.close()
        raise


def _same(src: str, dst: str) -> bool:
    if is_postgres_url(src) or is_postgres_url(dst):
        return src.rstrip("/") == dst.rstrip("/")
    if Path(src).exists() and Path(dst).exists():
        return os.path.samefile(src, dst)
    return Path(src).resolve() == Path(dst).resolve()


def copy_archive(
    src: Store, dst: Store, batch: int = BATCH_ROWS, progress: Progress | None = None
) -> list[TableCopy]:
    """Copy SRC's archive into DST, or finish a copy that was stopped; verify it; returns every table.

    CopyError, with nothing written, when DST holds rows that are not SRC's first rows (another archive,
    or SRC changed since the stopped copy); CopyError naming the table when the verification fails.
    """
    if batch < 1:
        raise CopyError(f"a batch is at least one row, not {batch}")
    progress = progress or (lambda _message, _milestone: None)
    src.hold_snapshot()  # one state of SRC for the whole run, however long it takes
    try:
        columns = {table: _columns(src, dst, table) for table, _ in TABLES}
        progress("checking what the destination holds already", True)
        resume = {table: _resume_point(src, dst, table, key, columns[table]) for table, key in TABLES}
        copied = {}
        for table, key in TABLES:
            after, already = resume[table]
            copied[table] = _copy_table(src, dst, table, key, columns[table], after, already, batch, progress)
        progress("building the search index and the outlet statistics", True)
        with dst.transaction():
            _move_sequences(dst)
            rebuild_derived(dst)
        progress("verifying every table: counts and content hashes on both sides", True)
        return [
            TableCopy(table, rows, copied[table], sha256)
            for table, rows, sha256 in verify(src, dst, batch, columns)
        ]
    finally:
        src.release_snapshot()


def rebuild_derived(store: Store) -> None:
    """The search index and the outlet statistics, built again from the store's archive tables."""
    store.search_index.rebuild()
    store.site_stats.rebuild()


def verify(
    src: Store, dst: Store, batch: int = BATCH_ROWS, columns: dict[str, list[str]] | None = None
) -> list[tuple[str, int, str]]:
    """(table, rows, sha256) of every archive table, the same on both sides; CopyError where not."""
    checked = []
    for table, key in TABLES:
        names = columns[table] if columns else _columns(src, dst, table)
        ours, theirs = RowDigest(), RowDigest()
        for row in _rows(src, table, key, names, batch):
            ours.add(row)
        for row in _rows(dst, table, key, names, batch):
            theirs.add(row)
        if (ours.rows, ours.hexdigest) != (theirs.rows, theirs.hexdigest):
            raise CopyError(
                f"the copy of table {table} differs from its source: {theirs.rows} rows, sha256 "
                f"{theirs.hexdigest[:16]}… where the source has {ours.rows} rows, sha256 {ours.hexdigest[:16]}…"
            )
        checked.append((table, ours.rows, ours.hexdigest))
    return checked


def _columns(src: Store, dst: Store, table: str) -> list[str]:
    """The table's columns, in name order; CopyError where the two stores' schemas disagree."""
    ours, theirs = _column_names(src, table), _column_names(dst, table)
    if ours != theirs:
        raise CopyError(
            f"table {table} has columns {sorted(ours - theirs) or 'none'} in the source only and "
            f"{sorted(theirs - ours) or 'none'} in the destination only: both must be opened by the same "
            "versioner; nothing was copied"
        )
    return sorted(ours)


def _column_names(store: Store, table: str) -> set[str]:
    cursor = store.db.execute(f"SELECT * FROM {table} LIMIT 0")
    return {column[0] for column in cursor.description}


def _resume_point(
    src: Store, dst: Store, table: str, key: tuple[str, ...], columns: list[str]
) -> tuple[tuple | None, int]:
    """Where the copy of a table goes on: the key of the last row DST has, and how many it has.

    DST's rows must be SRC's first rows in key order (a stopped copy's), counted and hashed alike.
    """
    theirs = RowDigest()
    for row in _rows(dst, table, key, columns, BATCH_ROWS):
        theirs.add(row)
    if not theirs.rows:
        return None, 0
    ours, last = RowDigest(), None
    for row in _rows(src, table, key, columns, BATCH_ROWS):
        if ours.rows == theirs.rows:
            break
        ours.add(row)
        last = row
    if (ours.rows, ours.hexdigest) != (theirs.rows, theirs.hexdigest):
        raise CopyError(
            f"the destination already holds {theirs.rows} rows of table {table} that are not a copy of the "
            "source's: it holds another archive, or the source changed since a copy was stopped; nothing "
            "was written. Copy into a new, empty database"
        )
    return _key_of(last, key, columns), theirs.rows


def _copy_table(
    src: Store,
    dst: Store,
    table: str,
    key: tuple[str, ...],
    columns: list[str],
    after: tuple | None,
    already: int,
    batch: int,
    progress: Progress,
) -> int:
    """SRC's rows after `after` into DST, a transaction per batch; returns how many were written."""
    total = src.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    done = already
    progress(f"{table}: {done:,} of {total:,} rows", True)
    for rows in _pages(src, table, key, columns, batch, after):
        with dst.transaction():
            _insert(dst, table, columns, rows)
        done += len(rows)
        progress(f"{table}: {done:,} of {total:,} rows", done == total)
    return done - already


def _insert(store: Store, table: str, columns: list[str], rows: list[tuple]) -> None:
    names = ", ".join(columns)
    one = "(" + ", ".join("?" for _ in columns) + ")"
    per_statement = max(1, MAX_PARAMETERS // len(columns))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        store.db.execute(
            f"INSERT INTO {table} ({names}) VALUES {', '.join(one for _ in chunk)}",
            [value for row in chunk for value in row],
        )


def _rows(store: Store, table: str, key: tuple[str, ...], columns: list[str], batch: int) -> Iterator[tuple]:
    for page in _pages(store, table, key, columns, batch):
        yield from page


def _pages(
    store: Store, table: str, key: tuple[str, ...], columns: list[str], batch: int, after: tuple | None = None
) -> Iterator[list[tuple]]:
    """The table's rows in key order, a page at a time, each page read after the last one's key: memory
    and the work of each query stay bounded, whatever the store's cursors do.

    A key of two columns, a level and a unique key (depth, hash), is read one level at a time, along the
    unique key's index: ordered by both columns, every page would sort the whole table again.
    """
    *level, unique = key
    read = _Reader(store, f"SELECT {', '.join(columns)} FROM {table}", unique, columns.index(unique), batch)
    if not level:
        yield from read.pages(None, after)
        return
    values = store.db.execute(f"SELECT DISTINCT {level[0]} FROM {table} ORDER BY 1").fetchall()
    for (value,) in values:
        if after is None or value > after[0]:
            yield from read.pages((level[0], value), None)
        elif value == after[0]:
            yield from read.pages((level[0], value), after[1:])


@dataclass(frozen=True)
class _Reader:
    """Pages of one table's rows along its unique key (`select` reads them, `position` is the key's)."""

    store: Store
    select: str
    unique: str
    position: int
    batch: int

    def pages(self, level: tuple[str, object] | None, after: tuple | None) -> Iterator[list[tuple]]:
        """The rows (of one level, where given) in unique key order, a page at a time, after `after`."""
        while True:
            conditions, params = [], []
            if level is not None:
                conditions.append(f"{level[0]} = ?")
                params.append(level[1])
            if after is not None:
                conditions.append(f"{self.unique} > ?")
                params.append(after[0])
            where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
            rows = self.store.db.execute(
                f"{self.select}{where} ORDER BY {self.unique} LIMIT ?", [*params, self.batch]
            ).fetchall()
            if rows:
                yield [tuple(row) for row in rows]
            if len(rows) < self.batch:
                return
            after = (rows[-1][self.position],)


def _key_of(row: tuple, key: tuple[str, ...], columns: list[str]) -> tuple:
    return tuple(row[columns.index(name)] for name in key)


def _move_sequences(store: Store) -> None:
    """PostgreSQL hands out ids from sequences that the copied ids did not move: past them, so the next
    row stored gets a new id. SQLite takes the largest id plus one, and needs nothing."""
    if store.db.dialect != "postgresql":
        return
    for table in SEQUENCED:
        store.db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
