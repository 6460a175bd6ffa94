"""A database made by an earlier schema version opens, keeps its data and reads through the new schema.

Each test fills a database with today's code, then rewinds it to the schema before one migration step
(undoing that step and every later one) and opens it again, so the step runs on real data.
"""

import json
import re
import sqlite3
from pathlib import Path

from helpers import ingest_all, text_capture

from versioner import changes
from versioner.search_results import search
from versioner.store import Store, schema
from versioner.store.search_index import ARTICLE_SHIFT
from versioner.store.texts import register

OLD_STATEMENTS = re.split(r";\n(?=CREATE)", schema.INITIAL_SCHEMA)


def _old(prefix: str) -> list[str]:
    return [statement for statement in OLD_STATEMENTS if statement.startswith(prefix)]


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
}


def rewind(db: Path, step) -> None:
    """The database as it was before `step` ran: that step and every later one undone."""
    conn = sqlite3.connect(db)
    start = schema.MIGRATIONS.index(step)
    for later in reversed(schema.MIGRATIONS[start:]):
        for statement in UNDO[later]:
            conn.execute(statement)
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
