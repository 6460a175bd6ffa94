"""The `diff_cache` table: computed diffs by key, each with its stats beside it.

A diff between two contents never changes, so a row serves every process for good; the key (made by
versioner/changes.py) names the engine version and both sides. The stats column lets the lists of
changes read what changed in numbers without parsing whole diffs.
"""

import json
from collections.abc import Iterable

import sqlite_utils

from versioner.times import now, to_iso


class DiffCache:
    """The `diff_cache` table of a versioner database."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def diff(self, key: str) -> dict | None:
        """The cached diff (VersionDiff.to_json()), None on a miss."""
        row = self.db.execute("SELECT diff FROM diff_cache WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else None

    def stats(self, key: str) -> dict | None:
        """The cached diff's stats alone, None on a miss."""
        row = self.db.execute("SELECT stats FROM diff_cache WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else None

    def cached(self, keys: Iterable[str]) -> set[str]:
        """Which of these keys have a row."""
        keys = list(keys)
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self.db.execute(f"SELECT key FROM diff_cache WHERE key IN ({marks})", chunk)
            found.update(row[0] for row in rows)
        return found

    def put(self, key: str, diff: dict) -> None:
        """Keep a diff; a read-only or busy database just means it is not kept."""
        self.db.attempt(
            "INSERT INTO diff_cache (key, diff, stats, computed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                key,
                json.dumps(diff, ensure_ascii=False),
                json.dumps(diff["stats"], ensure_ascii=False),
                to_iso(now()),
            ],
        )
