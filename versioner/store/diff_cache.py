"""The `diff_cache` table: computed diffs by key, each with its stats beside it.

A diff between two contents never changes, so a row serves every process for good; the key (made by
versioner/changes.py) names the engine version and both sides. The stats column lets the lists of
changes read what changed in numbers without parsing whole diffs.

A diff's JSON repeats most of both texts (its equal and changed runs), so it is stored compressed with
the older text as a zstd dictionary (codec.py): what is left is the diff's structure, what the newer
text added and a few bytes per run, about a quarter of the JSON compressed on its own. The older text
alone, not both: a reader (the Atom feed, the diff page) then decodes one text, not two, and a diff
costs 1.4 times what it would with both. A row may hold its stats alone (`data` NULL, as the migration
that compressed the cache left the rows it had): the diff is then computed on its first read.
"""

import json
from collections.abc import Iterable

import sqlite_utils

from versioner.store import codec
from versioner.times import now, to_iso

DIFF_LEVEL = 3  # a text as dictionary leaves little for the slow level to save (about 5 %)


class DiffCache:
    """The `diff_cache` table of a versioner database."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def diff(self, key: str, old_text: str) -> dict | None:
        """The cached diff (VersionDiff.to_json()), None on a miss; `old_text` is the older side's text,
        which the key names."""
        row = self.db.execute(
            "SELECT data FROM diff_cache WHERE key = ? AND data IS NOT NULL", [key]
        ).fetchone()
        return json.loads(codec.unpack(row[0], old_text.encode())) if row else None

    def stats(self, key: str) -> dict | None:
        """The cached diff's stats alone, None on a miss."""
        row = self.db.execute("SELECT stats FROM diff_cache WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else None

    def cached(self, keys: Iterable[str]) -> set[str]:
        """Which of these keys have a row (their stats at least)."""
        keys = list(keys)
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self.db.execute(f"SELECT key FROM diff_cache WHERE key IN ({marks})", chunk)
            found.update(row[0] for row in rows)
        return found

    def put(self, key: str, diff: dict, old_text: str) -> None:
        """Keep a diff, compressed against the older side's text; a read-only or busy database just
        means it is not kept."""
        data = codec.pack(json.dumps(diff, ensure_ascii=False).encode(), old_text.encode(), DIFF_LEVEL)
        self.db.attempt(
            """INSERT INTO diff_cache (key, data, stats, computed_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (key) DO UPDATE SET data = excluded.data, computed_at = excluded.computed_at
               WHERE diff_cache.data IS NULL""",
            [key, data, json.dumps(diff["stats"], ensure_ascii=False), to_iso(now())],
        )


def compress_table(db: sqlite_utils.Database) -> None:
    """The migration to compressed diffs: the table rebuilt with a BLOB `data` column, each row keeping
    its key and stats; the old JSON goes, as the store cannot tell which texts a key names (the diff is
    computed again when it is first read, the lists of changes read the stats they had)."""
    db.execute("""
        CREATE TABLE diff_cache_compressed (
            key TEXT PRIMARY KEY,
            data BLOB,
            stats TEXT NOT NULL,
            computed_at TEXT NOT NULL
        )""")
    db.execute(
        "INSERT INTO diff_cache_compressed (key, stats, computed_at) "
        "SELECT key, stats, computed_at FROM diff_cache WHERE stats IS NOT NULL"
    )
    db.execute("DROP TABLE diff_cache")
    db.execute("ALTER TABLE diff_cache_compressed RENAME TO diff_cache")
