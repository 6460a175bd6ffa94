"""Diffs computed once and kept: by the ingesting process for every new version, read back by anyone."""

import json
import sqlite3

from helpers import ROOT, ingest_all, text_capture, versioner

from versioner import changes
from versioner.store import Store

STORY = "Harbour plan\n\nThe council met on Tuesday.\n\nThe mayor said little."


def _versions(store: Store) -> list:
    return store.versions(1)


def test_ingest_computes_each_new_change_as_it_stores_it(store):
    ingest_all(
        store,
        [
            text_capture(STORY, 0),
            text_capture(STORY.replace("Tuesday", "Wednesday"), 10),
            text_capture(STORY.replace("little", "nothing"), 20),
        ],
    )
    assert store.db.execute("SELECT count(*) FROM diff_cache").fetchone()[0] == 2
    assert changes.warm(store, [1]) == 0
    store.db.execute("DELETE FROM diff_cache")
    assert changes.warm(store, [1, 1]) == 2
    assert changes.warm(store, [1]) == 0
    first, second, third = _versions(store)
    assert changes.stats(store, second, third) == changes.load(store, second, third)["stats"]
    inserted = [text for op, text in changes.load(store, first, second)["ops"] if op == "+"]
    assert inserted == ["Wednesday"]


def test_a_cached_diff_is_read_not_recomputed(store):
    ingest_all(store, [text_capture(STORY, 0), text_capture(STORY.replace("Tuesday", "Friday"), 10)])
    old, new = _versions(store)
    changes.warm(store, [1])
    marked = {"words_added": 99}  # a stand-in the engine would never produce
    store.db.execute("UPDATE diff_cache SET stats = ?", [json.dumps(marked)])
    assert changes.stats(store, old, new) == marked


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
    assert changes.key(first, second) == changes.key(third, second) != changes.key(second, first)


def test_ingest_command_leaves_every_change_computed(tmp_path):
    db = tmp_path / "warm.db"
    versioner(db, "ingest", ROOT / "snapshots")
    conn = sqlite3.connect(db)
    pairs = conn.execute("SELECT sum(version_count - 1) FROM articles WHERE version_count > 1").fetchone()[0]
    stats = [json.loads(s) for (s,) in conn.execute("SELECT stats FROM diff_cache")]
    assert pairs > 0 and len(stats) == pairs
    assert all(s["kind"] and s["summary"] for s in stats)


def test_the_cli_reads_the_diff_the_web_reads_from_the_cache(tmp_path):
    db = tmp_path / "shared.db"
    versioner(db, "ingest", ROOT / "snapshots")
    store = Store(db)
    article = next(a for a in store.articles(limit=1000) if a["version_count"] > 1)
    old, new = (store.with_text(v) for v in store.versions(article["id"])[:2])
    marked = changes.load(store, old, new) | {"title": [["+", "a title only the cache has"]]}
    store.db.execute("DELETE FROM diff_cache WHERE key = ?", [changes.key(old, new)])
    store.diff_cache.put(changes.key(old, new), marked, old.text)
    store.close()
    out = json.loads(versioner(db, "diff", article["id"], 1, 2, "--json").stdout)
    assert out["title"] == [["+", "a title only the cache has"]]


def test_a_cached_diff_is_stored_compressed_against_its_older_text_and_read_back_whole(store):
    ingest_all(store, [text_capture(STORY, 0), text_capture(STORY.replace("Tuesday", "Friday"), 10)])
    old, new = _versions(store)
    want = changes.load(store, old, new)
    (data,) = store.db.execute("SELECT data FROM diff_cache").fetchone()
    assert (
        len(data) < len(json.dumps(want).encode()) / 2
    )  # the older text is the dictionary, not stored again
    fresh = Store(store.path)  # another process, with nothing decoded in memory
    assert changes.load(fresh, *_versions(fresh)) == want


def test_a_row_with_stats_alone_gets_its_diff_on_first_read(store):
    ingest_all(store, [text_capture(STORY, 0), text_capture(STORY.replace("Tuesday", "Friday"), 10)])
    want = changes.load(store, *_versions(store))
    store.db.execute("UPDATE diff_cache SET data = NULL")  # as the migration to compressed diffs leaves it
    assert changes.stats(store, *_versions(store)) == want["stats"]
    assert changes.load(store, *_versions(store)) == want
    assert store.db.execute("SELECT count(*) FROM diff_cache WHERE data IS NOT NULL").fetchone()[0] == 1


def test_a_new_engine_version_computes_every_diff_afresh(store, monkeypatch):
    ingest_all(store, [text_capture(STORY, 0), text_capture(STORY.replace("Tuesday", "Friday"), 10)])
    old, new = _versions(store)
    before = changes.key(old, new)
    monkeypatch.setattr(changes, "ENGINE", "2/" + changes.ENGINE.split("/", 1)[1])
    assert changes.key(old, new) != before
    assert changes.warm(store, [1]) == 1
