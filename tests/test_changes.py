"""Diffs computed once and kept: by the ingesting process for every new version, read back by anyone."""

import json
import sqlite3

from helpers import ROOT, ingest_all, text_capture, versioner

from versioner import changes as diffcache
from versioner.store import Store

STORY = "Harbour plan\n\nThe council met on Tuesday.\n\nThe mayor said little."


def _versions(store: Store) -> list:
    return store.versions(1)


def test_warm_computes_each_uncached_change_once(store):
    ingest_all(
        store,
        [
            text_capture(STORY, 0),
            text_capture(STORY.replace("Tuesday", "Wednesday"), 10),
            text_capture(STORY.replace("little", "nothing"), 20),
        ],
    )
    assert diffcache.warm(store, [1, 1]) == 2
    assert diffcache.warm(store, [1]) == 0
    first, second, third = _versions(store)
    assert diffcache.stats(store, second, third) == diffcache.load(store, second, third)["stats"]
    inserted = [text for op, text in diffcache.load(store, first, second)["ops"] if op == "+"]
    assert inserted == ["Wednesday"]


def test_a_cached_diff_is_read_not_recomputed(store):
    ingest_all(store, [text_capture(STORY, 0), text_capture(STORY.replace("Tuesday", "Friday"), 10)])
    old, new = _versions(store)
    diffcache.warm(store, [1])
    marked = {"words_added": 99}  # a stand-in the engine would never produce
    store.db.execute("UPDATE diff_cache SET stats = ?", [json.dumps(marked)])
    assert diffcache.stats(store, old, new) == marked


def test_the_key_names_both_contents_and_bylines(store):
    ingest_all(
        store,
        [
            text_capture(STORY, 0),
            text_capture(STORY.replace("Tuesday", "Friday"), 10),
            text_capture(STORY, 20),  # a revert: the same contents as version 1
        ],
    )
    first, second, third = _versions(store)
    assert diffcache.key(first, second) == diffcache.key(third, second) != diffcache.key(second, first)


def test_ingest_command_leaves_every_change_computed(tmp_path):
    db = tmp_path / "warm.db"
    versioner(db, "ingest", ROOT / "snapshots")
    conn = sqlite3.connect(db)
    changes = conn.execute("SELECT sum(version_count - 1) FROM articles WHERE version_count > 1").fetchone()[
        0
    ]
    stats = [json.loads(s) for (s,) in conn.execute("SELECT stats FROM diff_cache")]
    assert changes > 0 and len(stats) == changes
    assert all(s["kind"] and s["summary"] for s in stats)
