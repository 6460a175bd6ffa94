"""Computed diffs kept in the database (`diff_cache`): each diff is computed once, by whoever needs it first.

A diff between two contents never changes, so a row is keyed by the diff engine's fingerprint and both
sides (text hash and byline) and serves every process. Beside the whole diff (VersionDiff.to_json()) a row
holds its stats, which the lists of changes read without parsing the diff. `warm` computes the changes
of the articles an ingest or poll touched, so the web UI's lists and feeds do no diffing of their own.
"""

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from versioner.diff import align, tokens
from versioner.diff import engine as diff
from versioner.diff import stats as diffstats
from versioner.diff.engine import diff_versions
from versioner.store import Store, VersionInfo
from versioner.times import now, to_iso


def _engine_fingerprint() -> str:
    """The diff engine's code and backend: a cached diff is reused only by the engine that made it."""
    digest = hashlib.sha256(diff.BACKEND.__name__.encode())
    for module in (diff, align, diffstats, tokens):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


ENGINE = _engine_fingerprint()


def key(old: VersionInfo, new: VersionInfo) -> str:
    """What the diff depends on: the engine and both sides (title and text hash, byline)."""
    parts = [ENGINE, old.text_hash, old.byline, new.text_hash, new.byline]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def load(store: Store, old: VersionInfo, new: VersionInfo) -> dict:
    """VersionDiff.to_json() of the two versions, from the cache or computed once and cached."""
    row = store.db.execute("SELECT diff FROM diff_cache WHERE key = ?", [key(old, new)]).fetchone()
    return json.loads(row[0]) if row else _compute(store, old, new)


def stats(store: Store, old: VersionInfo, new: VersionInfo) -> dict:
    """The diff's stats alone (what changed, in numbers), as the lists of changes show them."""
    row = store.db.execute("SELECT stats FROM diff_cache WHERE key = ?", [key(old, new)]).fetchone()
    return json.loads(row[0]) if row else _compute(store, old, new)["stats"]


def warm(store: Store, article_ids: Iterable[int]) -> int:
    """Compute every change (each version against the one before) of these articles not cached yet."""
    computed = 0
    for article_id in set(article_ids):
        versions = store.versions(article_id)
        pairs = {key(old, new): (old, new) for old, new in zip(versions, versions[1:], strict=False)}
        cached = {
            row[0]
            for row in store.db.execute(
                "SELECT key FROM diff_cache WHERE key IN (SELECT value FROM json_each(?))",
                [json.dumps(list(pairs))],
            )
        }
        for pair_key in pairs.keys() - cached:
            _compute(store, *pairs[pair_key])
            computed += 1
    return computed


def _compute(store: Store, old: VersionInfo, new: VersionInfo) -> dict:
    """Diff the two versions and keep the result; a read-only or busy database just means no keeping."""
    old_version, new_version = store.with_text(old), store.with_text(new)
    data = diff_versions(
        old_version.title,
        old_version.byline,
        old_version.text,
        new_version.title,
        new_version.byline,
        new_version.text,
    ).to_json()
    try:
        store.db.execute(
            "INSERT OR IGNORE INTO diff_cache (key, diff, stats, computed_at) VALUES (?, ?, ?, ?)",
            [
                key(old, new),
                json.dumps(data, ensure_ascii=False),
                json.dumps(data["stats"], ensure_ascii=False),
                to_iso(now()),
            ],
        )
    except sqlite3.OperationalError:
        pass
    return data
