"""A database made by an earlier schema version opens, keeps its data and reads through the new schema.

Each test fills a database with today's code, then rewinds it to the schema before one migration step
(undoing that step and every later one) and opens it again, so the step runs on real data.
"""

import re
import sqlite3
from pathlib import Path

from helpers import ingest_all, text_capture

from versioner import changes as diffcache
from versioner.store import Store, schema
from versioner.store.search import search
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
    diffcache.warm(store, [1])
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
    want = diffcache.load(store, *store.versions(1))["stats"]
    store.close()
    rewind(db, schema._diff_stats)
    reopened = Store(db)
    assert diffcache.stats(reopened, *reopened.versions(1)) == want


def test_the_search_index_is_rebuilt_from_the_stored_texts(tmp_path):
    db, _ = _story(tmp_path)
    rewind(db, schema._paragraph_index)
    reopened = Store(db)
    assert search(reopened, "once")[1][0]["matching"] == [1]
    assert search(reopened, "praised")[1][0]["matching"] == [1, 2]
    assert search(reopened, "vote twice")[1][0]["matching"] == [2]  # headline and body together
    assert reopened.db.execute("SELECT count(*) FROM paragraphs").fetchone()[0] == 5  # each one once
