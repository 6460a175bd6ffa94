"""`versioner check`: SQLite's own checks, then the archive's invariants, each problem said in words.

PostgreSQL checks its own pages and enforces foreign keys on every write, so there the invariants are
all that is checked.

A crash, a full disk or a damaged disk can leave a file that opens and mostly reads; this finds what
a reader would otherwise meet as an error page: pages SQLite cannot read, rows that point nowhere,
counts out of step, texts or raw captures that no longer decode to the bytes their hash names.
"""

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from versioner.errors import VersionerError
from versioner.store.store import Store

# (what is wrong, a query counting the rows it is wrong for)
INVARIANTS = [
    (
        "accepted captures without a version",
        "SELECT count(*) FROM captures WHERE status = 'accepted' AND version_id IS NULL",
    ),
    (
        "rejected or held-back captures on a version",
        "SELECT count(*) FROM captures WHERE status != 'accepted' AND version_id IS NOT NULL",
    ),
    (
        "captures without their raw bytes",
        "SELECT count(*) FROM captures WHERE raw_hash NOT IN (SELECT hash FROM raw_blobs)",
    ),
    (
        "versions without their text",
        "SELECT count(*) FROM versions v WHERE NOT EXISTS "
        "(SELECT 1 FROM texts t WHERE t.article_id = v.article_id AND t.hash = v.text_hash)",
    ),
    (
        "versions whose capture count is off",
        "SELECT count(*) FROM versions v WHERE capture_count != "
        "(SELECT count(*) FROM captures c WHERE c.version_id = v.id)",
    ),
    (
        "articles whose counts are off",
        "SELECT count(*) FROM articles a WHERE "
        "capture_count != (SELECT count(*) FROM captures c WHERE c.article_id = a.id) OR "
        "version_count != (SELECT count(*) FROM versions v WHERE v.article_id = a.id) OR "
        "version_count != coalesce((SELECT max(n) FROM versions v WHERE v.article_id = a.id), 0)",
    ),
]


@dataclass(frozen=True)
class Problem:
    """One kind of damage: what it is and how many rows (or pages) it touches."""

    what: str
    count: int
    example: str | None = None

    def to_json(self) -> dict:
        return {"problem": self.what, "count": self.count, "example": self.example}


def check(store: Store, on_progress: Callable[[str], None] = lambda _step: None) -> list[Problem]:
    """Every problem found, none when the archive is sound; reads only, whatever it finds."""
    problems: list[Problem] = []
    steps = [
        ("the archive's invariants", _invariants),
        ("every version's text", _texts),
        ("every raw capture", _raw_captures),
    ]
    if store.db.dialect == "sqlite":
        steps.insert(0, ("SQLite's integrity check", _sqlite_checks))
    for name, step in steps:
        on_progress(name)
        try:
            problems += step(store)
        except (sqlite3.DatabaseError, VersionerError) as err:
            problems.append(Problem(f"{name} stopped: the file is damaged", 1, str(err)))
    return problems


def _sqlite_checks(store: Store) -> list[Problem]:
    found = []
    messages = [row[0] for row in store.db.execute("PRAGMA integrity_check").fetchall()]
    if messages != ["ok"]:
        found.append(Problem("pages SQLite cannot read (PRAGMA integrity_check)", len(messages), messages[0]))
    orphans = store.db.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        table, rowid, parent, _ = orphans[0]
        found.append(Problem("rows that point at a missing row", len(orphans), f"{table} {rowid} → {parent}"))
    try:
        store.db.execute("INSERT INTO paragraphs_fts (paragraphs_fts) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as err:
        found.append(Problem("the search index does not match its tables", 1, str(err)))
    return found


def _invariants(store: Store) -> list[Problem]:
    counts = ((what, store.db.execute(sql).fetchone()[0]) for what, sql in INVARIANTS)
    return [Problem(what, count) for what, count in counts if count]


def _texts(store: Store) -> list[Problem]:
    """Each version's title and decoded text hash to the text hash it is stored under."""
    wrong, example = 0, None
    rows = store.db.execute("SELECT article_id, n FROM versions ORDER BY article_id, n").fetchall()
    for article_id, n in rows:
        try:
            version = store.version(article_id, n)
            intact = (
                hashlib.sha256(f"{version.title}\x1f{version.text}".encode()).hexdigest() == version.text_hash
            )
        except (sqlite3.DatabaseError, VersionerError, UnicodeDecodeError, ValueError) as err:
            intact, example = False, example or f"article {article_id} version {n}: {err}"
        if not intact:
            wrong += 1
            example = example or f"article {article_id} version {n}"
    return [Problem("versions whose text does not decode to its hash", wrong, example)] if wrong else []


def _raw_captures(store: Store) -> list[Problem]:
    """Each raw capture decodes to the bytes its SHA-256 names."""
    wrong, example = 0, None
    order = "rowid" if store.db.dialect == "sqlite" else "depth, hash"  # SQLite: as stored, bases first
    for (raw_hash,) in store.db.execute(f"SELECT hash FROM raw_blobs ORDER BY {order}").fetchall():
        try:
            intact = hashlib.sha256(store.raw_captures.get(raw_hash)).hexdigest() == raw_hash
        except (sqlite3.DatabaseError, VersionerError, ValueError) as err:
            intact, example = False, example or f"{raw_hash[:12]}: {err}"
        if not intact:
            wrong += 1
            example = example or raw_hash[:12]
    return [Problem("raw captures that do not decode to their hash", wrong, example)] if wrong else []
