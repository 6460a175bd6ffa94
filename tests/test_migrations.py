"""A database made by an earlier schema version opens, keeps its data and reads through the new views."""

import re
import sqlite3

from helpers import ingest_all, text_capture

from versioner import diffcache, schema
from versioner.store import Store
from versioner.texts import register


def test_the_recursive_text_views_are_replaced_by_per_row_decoding(tmp_path):
    db = tmp_path / "old.db"
    store = Store(db)
    ingest_all(store, [text_capture(f"Harbour\n\nThe council met {n} times.", n) for n in range(3)])
    want = [store.with_text(v).text for v in store.versions(1)]
    store.close()
    conn = sqlite3.connect(db)  # back to the views the schema had before the step
    conn.execute("DROP VIEW version_texts")
    conn.execute("DROP VIEW decoded_texts")
    conn.execute("ALTER TABLE diff_cache DROP COLUMN stats")  # and undo the steps after it
    for statement in re.split(r";\n(?=CREATE)", schema.INITIAL_SCHEMA):
        if statement.startswith("CREATE VIEW"):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {schema.MIGRATIONS.index(schema._text_function)}")
    conn.commit()
    conn.close()

    reopened = Store(db)
    assert reopened.db.execute("PRAGMA user_version").fetchone()[0] == len(schema.MIGRATIONS)
    assert [reopened.with_text(v).text for v in reopened.versions(1)] == want
    reopened.close()
    conn = sqlite3.connect(db)
    register(conn)
    assert [t for (t,) in conn.execute("SELECT text FROM version_texts ORDER BY n")] == want
    assert "text_chain" not in {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}


def test_cached_diffs_get_their_stats_column_filled(tmp_path):
    db = tmp_path / "old.db"
    store = Store(db)
    ingest_all(store, [text_capture(f"Harbour\n\nThe council met {n} times.", n) for n in range(2)])
    diffcache.warm(store, [1])
    want = diffcache.load(store, *store.versions(1))["stats"]
    store.close()
    conn = sqlite3.connect(db)  # the cache as it was before the step
    conn.execute("ALTER TABLE diff_cache DROP COLUMN stats")
    conn.execute(f"PRAGMA user_version = {schema.MIGRATIONS.index(schema._diff_stats)}")
    conn.commit()
    conn.close()

    reopened = Store(db)
    assert diffcache.stats(reopened, *reopened.versions(1)) == want
