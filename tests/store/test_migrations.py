"""A database made by an earlier schema version opens, keeps its data and reads through the new schema.

Each test fills a database with today's code, then rewinds it to the schema before one migration step
(undoing that step and every later one) and opens it again, so the step runs on real data.
"""

import json
import re
import sqlite3
from pathlib import Path

from helpers import T0, article_html, ingest_all, text_capture
from warcio.archiveiterator import ArchiveIterator

from versioner import changes
from versioner.archive.warc_export import export_warc
from versioner.capture import Capture
from versioner.search_results import search
from versioner.store import Store, codec, schema, search_index
from versioner.store.raw_captures import RawStore
from versioner.store.search_index import ARTICLE_SHIFT
from versioner.store.texts import TextStore, register

OLD_STATEMENTS = re.split(r";\n(?=CREATE)", schema.INITIAL_SCHEMA)


def _old(prefix: str) -> list[str]:
    return [statement for statement in OLD_STATEMENTS if statement.startswith(prefix)]


def _raws_stored_whole(conn: sqlite3.Connection) -> None:
    """raw_blobs as the schema before text_id wrote them: each capture compressed against the article's
    previous capture (or on its own, the article's first), never against a text."""
    raws = RawStore(conn, TextStore(conn))
    rows = conn.execute(
        """SELECT hash, (SELECT p.raw_hash FROM captures p WHERE p.article_id = first.article_id
                         AND p.id < first.id ORDER BY p.id DESC LIMIT 1)
           FROM (SELECT b.hash, c.article_id, min(c.id) AS id FROM raw_blobs b
                 JOIN captures c ON c.raw_hash = b.hash WHERE b.text_id IS NOT NULL GROUP BY b.hash) AS first
           ORDER BY id"""
    ).fetchall()
    for raw_hash, base_hash in rows:
        base = raws.get(base_hash) if base_hash else None
        depth = conn.execute("SELECT depth + 1 FROM raw_blobs WHERE hash = ?", [base_hash]).fetchone()
        conn.execute(
            "UPDATE raw_blobs SET data = ?, base_hash = ?, depth = ?, text_id = NULL WHERE hash = ?",
            [codec.pack(raws.get(raw_hash), base, 3), base_hash, depth[0] if depth else 0, raw_hash],
        )
    conn.execute("ALTER TABLE raw_blobs DROP COLUMN text_id")


UNDO = {
    schema._text_function: [
        "DROP VIEW version_texts",
        "DROP VIEW decoded_texts",
        *_old("CREATE VIEW"),
    ],
    schema._diff_stats: ["ALTER TABLE diff_cache DROP COLUMN stats"],
    schema._paragraph_index: [
        "DROP TABLE paragraphs_fts",
        "DROP TABLE text_paragraphs",
        "DROP TABLE paragraphs",
        *_old("CREATE VIRTUAL TABLE versions_fts"),
    ],
    schema._engine_version_keys: [],  # it only deletes rows that can be computed again
    schema._private_hosts: [
        "ALTER TABLE tracked_urls DROP COLUMN allow_private",
        "ALTER TABLE feeds DROP COLUMN allow_private",
    ],
    schema._notifications: ["DROP TABLE notifications", "DROP TABLE subscriptions"],
    schema._search_newest_first: [  # the paragraph tables as _paragraph_index made them, still empty
        "DROP TABLE paragraphs_fts",
        "DROP TABLE text_paragraphs",
        "DROP TABLE paragraphs",
        "CREATE TABLE paragraphs (id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles (id),"
        " hash INTEGER NOT NULL, UNIQUE (article_id, hash))",
        "CREATE TABLE text_paragraphs (paragraph_id INTEGER NOT NULL REFERENCES paragraphs (id),"
        " text_id INTEGER NOT NULL REFERENCES texts (id), PRIMARY KEY (paragraph_id, text_id)) WITHOUT ROWID",
        "CREATE VIRTUAL TABLE paragraphs_fts USING fts5 (text, content='', columnsize=0,"
        " tokenize='unicode61 remove_diacritics 2')",
    ],
    schema._watchdog_signals: [
        f"ALTER TABLE {table} DROP COLUMN {column.split()[0]}" for table, column in schema.WATCHDOG_COLUMNS
    ],
    schema._aliases: [
        "DROP INDEX articles_by_first_seen",
        "DROP INDEX articles_by_site_story_id",
        "ALTER TABLE articles DROP COLUMN story_id",
        "DROP TABLE capture_urls",
        "DROP TABLE aliases",
    ],
    schema._http_headers: ["ALTER TABLE captures DROP COLUMN http_headers"],
    schema._visible_lines: ["DROP TABLE visible_lines"],
    schema._site_stats: ["DROP VIEW site_stats", "DROP TABLE site_totals", "DROP TABLE article_stats"],
    schema._compressed_diffs: [  # each row's JSON reduced to its stats: all the steps before it read
        "CREATE TABLE old_cache (key TEXT PRIMARY KEY, diff TEXT NOT NULL, computed_at TEXT NOT NULL, stats TEXT)",
        "INSERT INTO old_cache SELECT key, json_object('stats', json(stats)), computed_at, stats FROM diff_cache",
        "DROP TABLE diff_cache",
        "ALTER TABLE old_cache RENAME TO diff_cache",
    ],
    schema._raw_against_texts: [_raws_stored_whole],
    schema._denser_search_rowids: [],  # the index is made again from the texts, whatever rowids it had
    schema._unused_indexes: [
        "CREATE INDEX captures_by_raw_hash ON captures (raw_hash)",
        "CREATE INDEX texts_by_base ON texts (base_id)",
    ],
}


def rewind(db: Path, step) -> None:
    """The database as it was before `step` ran: that step and every later one undone."""
    conn = sqlite3.connect(db)
    start = schema.MIGRATIONS.index(step)
    for later in reversed(schema.MIGRATIONS[start:]):
        for statement in UNDO[later]:
            statement(conn) if callable(statement) else conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {start}")
    conn.commit()
    conn.close()


def _story(tmp_path: Path) -> tuple[Path, list[str]]:
    db = tmp_path / "old.db"
    store = Store(db)
    ingest_all(
        store,
        [
            text_capture("Harbour\n\nThe council met once.\n\nThe mayor praised the plan.", 0),
            text_capture("Harbour vote\n\nThe council met twice.\n\nThe mayor praised the plan.", 10),
        ],
    )
    changes.warm(store, [1])
    texts = [store.with_text(v).text for v in store.versions(1)]
    store.close()
    return db, texts


def test_the_recursive_text_views_are_replaced_by_per_row_decoding(tmp_path):
    db, want = _story(tmp_path)
    rewind(db, schema._text_function)
    Store(db).close()
    conn = sqlite3.connect(db)
    register(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(schema.MIGRATIONS)
    assert [t for (t,) in conn.execute("SELECT text FROM version_texts ORDER BY n")] == want
    assert "text_chain" not in {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}


def test_cached_diffs_get_their_stats_column_filled(tmp_path):
    db, _ = _story(tmp_path)
    store = Store(db)
    want = changes.load(store, *store.versions(1))["stats"]
    store.close()
    rewind(db, schema._diff_stats)
    conn = sqlite3.connect(db)
    schema._diff_stats(conn)  # the step alone: the engine-version step after it empties the cache
    assert [json.loads(stats) for (stats,) in conn.execute("SELECT stats FROM diff_cache")] == [want]
    conn.close()


def test_a_database_of_the_previous_release_keeps_everything_and_drops_only_old_diff_keys(tmp_path):
    db, texts = _story(tmp_path)
    store = Store(db)
    before = {
        table: _rows(store, table) for table in ("articles", "captures", "versions", "texts", "raw_blobs")
    }
    store.close()
    rewind(db, schema._engine_version_keys)  # the schema as the release before it wrote it
    conn = sqlite3.connect(db)
    conn.execute("UPDATE diff_cache SET key = 'fingerprint-of-old-source-files'")
    conn.commit()
    conn.close()
    reopened = Store(db)
    assert {table: _rows(reopened, table) for table in before} == before
    assert [reopened.with_text(v).text for v in reopened.versions(1)] == texts
    assert reopened.db.execute("SELECT count(*) FROM diff_cache").fetchone()[0] == 0
    assert changes.load(reopened, *reopened.versions(1))["stats"]["words_added"] >= 1
    assert search(reopened, "twice")[1][0]["matching"] == [2]


def _rows(store: Store, table: str) -> list[tuple]:
    return store.db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def test_the_search_index_is_rebuilt_from_the_stored_texts(tmp_path):
    db, _ = _story(tmp_path)
    rewind(db, schema._paragraph_index)
    reopened = Store(db)
    assert search(reopened, "once")[1][0]["matching"] == [1]
    assert search(reopened, "praised")[1][0]["matching"] == [1, 2]
    assert search(reopened, "vote twice")[1][0]["matching"] == [2]  # headline and body together
    assert reopened.db.execute("SELECT count(*) FROM paragraphs").fetchone()[0] == 5  # each one once


def test_search_rowids_are_made_again_grouped_by_article_from_the_stored_texts(tmp_path):
    db, _ = _story(tmp_path)
    rewind(db, schema._search_newest_first)
    reopened = Store(db)
    rowids = [row[0] for row in reopened.db.execute("SELECT id FROM paragraphs ORDER BY id").fetchall()]
    assert [rowid >> ARTICLE_SHIFT for rowid in rowids] == [
        1
    ] * 5  # each paragraph once, in its article's range
    assert search(reopened, "vote twice")[1][0]["matching"] == [2]


def test_cached_diffs_keep_their_stats_and_are_stored_compressed_when_next_read(tmp_path):
    db, _ = _story(tmp_path)
    store = Store(db)
    want = changes.load(store, *store.versions(1))
    store.close()
    rewind(db, schema._compressed_diffs)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE diff_cache SET diff = ?", [json.dumps(want)])  # the JSON the old schema kept
    conn.commit()
    conn.close()
    reopened = Store(db)
    assert reopened.db.execute("SELECT data FROM diff_cache").fetchall() == [(None,)]
    assert changes.stats(reopened, *reopened.versions(1)) == want["stats"]  # no diff computed for it
    assert changes.load(reopened, *reopened.versions(1)) == want
    (data,) = reopened.db.execute("SELECT data FROM diff_cache").fetchone()
    assert 0 < len(data) < len(json.dumps(want))


def test_raw_captures_of_plain_texts_are_compressed_against_their_texts_and_stay_exact(tmp_path):
    db, _ = _story(tmp_path)
    store = Store(db)
    page = article_html(extra="<!-- " + "markup " * 2000 + " -->")
    ingest_all(store, [Capture(page.encode(), "https://news.example.org/page", T0, "test", "html")])
    want = {h: store.raw_captures.get(h) for (h,) in store.db.execute("SELECT raw_hash FROM captures")}
    today = store.db.execute("SELECT hash, text_id FROM raw_blobs ORDER BY hash").fetchall()
    # the story's first capture; the short edit after it is a smaller delta of it, which must still decode
    assert sum(text_id is not None for _, text_id in today) == 1
    store.close()
    rewind(db, schema._raw_against_texts)
    conn = sqlite3.connect(db)
    old = dict(conn.execute("SELECT hash, length(data) FROM raw_blobs").fetchall())
    assert conn.execute("SELECT count(*) FROM raw_blobs WHERE base_hash IS NOT NULL").fetchone()[0] == 1
    conn.close()
    reopened = Store(db)
    rows = reopened.db.execute("SELECT hash, text_id, length(data) FROM raw_blobs ORDER BY hash").fetchall()
    assert [(h, text_id) for h, text_id, _ in rows] == today  # what ingest stores today
    assert all(size < old[h] for h, text_id, size in rows if text_id is not None)
    fresh = Store(db)  # nothing decoded in memory
    assert {h: fresh.raw_captures.get(h) for h in want} == want
    out = tmp_path / "after.warc"
    export_warc(fresh, str(out))
    with open(out, "rb") as stream:
        kinds = ("response", "resource")
        payloads = [r.content_stream().read() for r in ArchiveIterator(stream) if r.rec_type in kinds]
    assert sorted(payloads) == sorted(want.values())


def test_the_unused_indexes_go_and_the_alias_move_seeks_the_captures_key(tmp_path):
    db, _ = _story(tmp_path)
    rewind(db, schema._unused_indexes)
    reopened = Store(db)
    names = {name for (name,) in reopened.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert not names & {"captures_by_raw_hash", "texts_by_base"}
    plan = reopened.db.execute(
        """EXPLAIN QUERY PLAN SELECT c.fetched_at FROM captures c JOIN captures t
           ON t.article_id = 2 AND t.fetched_at = c.fetched_at AND t.raw_hash = c.raw_hash
           WHERE c.id IN (SELECT id FROM captures WHERE article_id = 1) LIMIT 1"""
    ).fetchall()
    assert any(
        "sqlite_autoindex_captures_1 (article_id=? AND fetched_at=? AND raw_hash=?)" in p[3] for p in plan
    )


def test_search_rowids_of_24_bits_per_article_are_made_again_with_18(tmp_path, monkeypatch):
    monkeypatch.setattr(search_index, "ARTICLE_SHIFT", 24)  # as the schema before wrote them
    db, _ = _story(tmp_path)
    monkeypatch.undo()
    rewind(db, schema._denser_search_rowids)
    reopened = Store(db)
    rowids = [row[0] for row in reopened.db.execute("SELECT id FROM paragraphs ORDER BY id").fetchall()]
    assert rowids == [(1 << 18) + n for n in range(5)]
    assert search(reopened, "vote twice")[1][0]["matching"] == [2]
    assert search(reopened, "praised")[1][0]["matching"] == [1, 2]
