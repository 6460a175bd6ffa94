"""The SQLite schema, its migrations and how a connection is set up.

The database is a user interface too (Datasette, sqlite3): plain tables, clear column names, ISO 8601
UTC timestamps, foreign keys, and indexes named for the query they serve. docs/database.md documents it.
"""

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from versioner.errors import StorageError
from versioner.store.texts import register as register_text_function

BUSY_TIMEOUT_MS = 60_000
DAMAGED = "the database file is damaged ({}): restore it from a backup, or run `sqlite3 FILE .recover`"


class SqliteDatabase(sqlite_utils.Database):
    """sqlite-utils' Database, with the few words the store says differently on PostgreSQL
    (versioner/store/postgres.py has the other side)."""

    dialect = "sqlite"
    begin_write = "BEGIN IMMEDIATE"  # the write lock up front: concurrent writers queue cleanly
    begin_snapshot = "BEGIN"

    def executemany(self, sql: str, rows) -> None:
        self.conn.executemany(sql, rows)

    def attempt(self, sql: str, params=None) -> bool:
        """Run a write that may fail (a busy or read-only database); False when it failed."""
        try:
            self.execute(sql, params or [])
            return True
        except sqlite3.OperationalError:
            return False

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction


def connect(path: str | Path) -> SqliteDatabase:
    """Open (and create or migrate) a versioner database.

    WAL lets readers (the web UI, a Datasette session) run while one writer ingests; the busy timeout
    makes concurrent writers queue instead of failing with "database is locked". A database that a newer
    versioner wrote is refused before anything (even the journal mode) is written to it.
    """
    conn = sqlite3.connect(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
        factory=_Connection,
    )
    try:
        _refuse_newer_schema(conn, path)
    except BaseException:
        conn.close()
        raise
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    # No sqlite-utils plugins on our own connections: loading them is lazy and not thread-safe (16
    # parallel first requests raised "Plugin name already registered"), and the one function the
    # views need is ours to register.
    db = SqliteDatabase(conn, execute_plugins=False)
    register_text_function(conn)
    migrate(db)
    return db


def _refuse_newer_schema(conn: sqlite3.Connection, path: str | Path) -> None:
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > len(MIGRATIONS):
        raise StorageError(
            f"{path} was written by a newer versioner (schema {found}, this one knows up to "
            f"{len(MIGRATIONS)}): upgrade versioner to use it; the file was left untouched"
        )


def _damaged(err: sqlite3.Error) -> bool:
    """A corrupt page or a file that is not a database, not a busy lock or a bad query (subclasses)."""
    return type(err) is sqlite3.DatabaseError


def _saying_damage(method):
    """The cursor method, with a damaged file's error said as a StorageError (see _said)."""

    def wrapped(self, *args):
        try:
            return method(self, *args)
        except sqlite3.DatabaseError as err:
            raise _said(err) from None

    return wrapped


class _Cursor(sqlite3.Cursor):
    """A cursor whose reads say a damaged file as a StorageError, wherever in the store they happen."""

    execute = _saying_damage(sqlite3.Cursor.execute)
    executemany = _saying_damage(sqlite3.Cursor.executemany)
    fetchone = _saying_damage(sqlite3.Cursor.fetchone)
    fetchmany = _saying_damage(sqlite3.Cursor.fetchmany)
    fetchall = _saying_damage(sqlite3.Cursor.fetchall)
    __next__ = _saying_damage(sqlite3.Cursor.__next__)


class _Connection(sqlite3.Connection):
    def cursor(self, factory=_Cursor):
        return super().cursor(factory)

    def execute(self, *args):
        return self.cursor().execute(*args)

    def executemany(self, *args):
        return self.cursor().executemany(*args)


def _said(err: sqlite3.DatabaseError) -> Exception:
    return StorageError(DAMAGED.format(err)) if _damaged(err) else err


def migrate(db: sqlite_utils.Database) -> None:
    """Bring the schema to the current version, each step in its own transaction."""
    current = db.execute("PRAGMA user_version").fetchone()[0]
    for version, step in enumerate(MIGRATIONS[current:], start=current + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] >= version:  # another process got there first
                db.execute("ROLLBACK")
                continue
            step(db)
            db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _initial(db: sqlite_utils.Database) -> None:
    for statement in re.split(r";\n(?=CREATE)", INITIAL_SCHEMA):
        db.execute(statement)


INITIAL_SCHEMA = """
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    site TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_changed TEXT,
    version_count INTEGER NOT NULL DEFAULT 0,
    capture_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX articles_by_last_changed ON articles (last_changed DESC, id DESC);
CREATE INDEX articles_by_site ON articles (site, last_changed DESC);
CREATE TABLE raw_blobs (
    hash TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    compression TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    n INTEGER NOT NULL,
    title TEXT NOT NULL,
    byline TEXT NOT NULL DEFAULT '',
    text_hash TEXT NOT NULL,
    words INTEGER NOT NULL,
    published TEXT,
    updated TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    capture_count INTEGER NOT NULL,
    revert_of INTEGER,
    UNIQUE (article_id, n)
);
CREATE TABLE captures (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    fetched_at TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    source TEXT NOT NULL,
    raw_hash TEXT NOT NULL REFERENCES raw_blobs (hash),
    kind_hint TEXT,
    http_status INTEGER,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'truncated', 'rejected')),
    reason TEXT,
    content_hash TEXT,
    title TEXT NOT NULL DEFAULT '',
    byline TEXT NOT NULL DEFAULT '',
    published TEXT,
    updated TEXT,
    words INTEGER NOT NULL DEFAULT 0,
    version_id INTEGER REFERENCES versions (id),
    UNIQUE (article_id, fetched_at, raw_hash)
);
CREATE INDEX captures_by_article_time ON captures (article_id, fetched_at);
CREATE INDEX captures_by_version ON captures (version_id);
CREATE INDEX captures_by_raw_hash ON captures (raw_hash);
CREATE TABLE texts (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    hash TEXT NOT NULL,
    base_id INTEGER REFERENCES texts (id),
    depth INTEGER NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (article_id, hash)
);
CREATE INDEX texts_by_base ON texts (base_id);
CREATE VIRTUAL TABLE versions_fts USING fts5 (title, text, content='', tokenize='unicode61 remove_diacritics 2');
CREATE VIEW text_chain AS
WITH RECURSIVE chain (id, article_id, hash, text) AS (
    SELECT id, article_id, hash, versioner_text(data, NULL) FROM texts WHERE base_id IS NULL
    UNION ALL
    SELECT t.id, t.article_id, t.hash, versioner_text(t.data, chain.text) FROM texts t JOIN chain ON t.base_id = chain.id
)
SELECT id, article_id, hash, text FROM chain;
CREATE VIEW version_texts AS
SELECT v.id, v.article_id, v.n, v.title, v.byline, c.text, v.words, v.published, v.updated, v.first_seen,
       v.last_seen, v.capture_count, v.revert_of
FROM versions v JOIN text_chain c ON c.article_id = v.article_id AND c.hash = v.text_hash
"""


def _web(db: sqlite_utils.Database) -> None:
    """For the web UI: a cache of computed diffs, and an index for the feed of recent changes.

    diff_cache.key is a sha256 of the diff engine's fingerprint and both sides' text hash and byline
    (versioner/changes.py); diff is VersionDiff.to_json() as JSON text. The table may be emptied at any time.
    """
    db.execute("""
        CREATE TABLE diff_cache (
            key TEXT PRIMARY KEY,
            diff TEXT NOT NULL,
            computed_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX versions_by_first_seen ON versions (first_seen DESC)")


def _capture(db: sqlite_utils.Database) -> None:
    """For web capture (versioner/watchlist.py): tracked article URLs, followed feeds, poll claims.

    Each row keeps its last answer's HTTP validators (etag, last_modified) for conditional requests,
    when it was last checked and with what status or error, and when it is next due (NULL: the schedule
    is over). check_seq numbers the checks in the order they were recorded; claimed_by/claim_expires mark
    the poll run that is checking it (docs/capture.md, "Overlapping runs").
    """
    for statement in CAPTURE_SCHEMA.split(";\n"):
        db.execute(statement)


CAPTURE_SCHEMA = """
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_checked TEXT,
    last_status INTEGER,
    last_error TEXT,
    next_check TEXT,
    check_seq INTEGER,
    claimed_by TEXT,
    claim_expires TEXT
);
CREATE INDEX feeds_by_next_check ON feeds (next_check);
CREATE TABLE tracked_urls (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    article_id INTEGER REFERENCES articles (id),
    feed_id INTEGER REFERENCES feeds (id) ON DELETE SET NULL,
    added_at TEXT NOT NULL,
    published TEXT,
    etag TEXT,
    last_modified TEXT,
    last_checked TEXT,
    last_status INTEGER,
    last_error TEXT,
    next_check TEXT,
    check_seq INTEGER,
    claimed_by TEXT,
    claim_expires TEXT
);
CREATE INDEX tracked_urls_by_next_check ON tracked_urls (next_check);
CREATE INDEX tracked_urls_by_check_seq ON tracked_urls (check_seq);
CREATE INDEX tracked_urls_by_article ON tracked_urls (article_id);
CREATE INDEX tracked_urls_by_feed ON tracked_urls (feed_id);
CREATE INDEX tracked_urls_by_claim ON tracked_urls (claimed_by)
"""


def _raw_deltas(db: sqlite_utils.Database) -> None:
    """Raw captures compressed against the article's previous capture: consecutive copies of a page
    differ in a few bytes (tracking ids, ads), so each costs little more than what changed."""
    db.execute("ALTER TABLE raw_blobs ADD COLUMN base_hash TEXT REFERENCES raw_blobs (hash)")
    db.execute("ALTER TABLE raw_blobs ADD COLUMN depth INTEGER NOT NULL DEFAULT 0")


def _text_function(db: sqlite_utils.Database) -> None:
    """Views that decode only the rows a query asks for: `versioner_text(id)` reads a text's chain of
    bases itself (versioner/texts.py), where the recursive view it replaces decoded every text first."""
    db.execute("DROP VIEW version_texts")
    db.execute("DROP VIEW text_chain")
    db.execute(
        "CREATE VIEW decoded_texts AS SELECT id, article_id, hash, versioner_text(id) AS text FROM texts"
    )
    db.execute("""
        CREATE VIEW version_texts AS
        SELECT v.id, v.article_id, v.n, v.title, v.byline, versioner_text(t.id) AS text, v.words, v.published,
               v.updated, v.first_seen, v.last_seen, v.capture_count, v.revert_of
        FROM versions v JOIN texts t ON t.article_id = v.article_id AND t.hash = v.text_hash""")


def _diff_stats(db: sqlite_utils.Database) -> None:
    """A cached diff's stats beside it: the lists of changes read them without parsing whole diffs."""
    db.execute("ALTER TABLE diff_cache ADD COLUMN stats TEXT")
    db.execute("UPDATE diff_cache SET stats = json_extract(diff, '$.stats')")


def _paragraph_index(db: sqlite_utils.Database) -> None:
    """Search indexes each distinct paragraph (and headline) of an article once, not every version whole
    (versioner/store/search_index.py); the texts stored so far are indexed here, with the headline each had."""
    from versioner.store.search_index import index_stored_texts  # the schema's only use of the index

    db.execute("DROP TABLE versions_fts")
    db.execute("""
        CREATE TABLE paragraphs (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles (id),
            hash INTEGER NOT NULL,
            UNIQUE (article_id, hash)
        )""")
    db.execute("""
        CREATE TABLE text_paragraphs (
            paragraph_id INTEGER NOT NULL REFERENCES paragraphs (id),
            text_id INTEGER NOT NULL REFERENCES texts (id),
            PRIMARY KEY (paragraph_id, text_id)
        ) WITHOUT ROWID""")
    db.execute(  # contentless and without column sizes: texts are stored compressed, and nothing ranks by bm25
        "CREATE VIRTUAL TABLE paragraphs_fts USING fts5 "
        "(text, content='', columnsize=0, tokenize='unicode61 remove_diacritics 2')"
    )
    index_stored_texts(db)


def _engine_version_keys(db: sqlite_utils.Database) -> None:
    """Cached diffs keyed by the engine's version (ENGINE_VERSION), no longer by a hash of its source
    files: no old key can match again, and every diff can be computed again, so the old rows go."""
    db.execute("DELETE FROM diff_cache")


def _private_hosts(db: sqlite_utils.Database) -> None:
    """allow_private on tracked URLs and feeds: the user allowed private addresses for the URL's host
    (--allow-private); a feed's items inherit it for the feed's own host only (versioner/watch/poll.py)."""
    for table in ("tracked_urls", "feeds"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN allow_private INTEGER NOT NULL DEFAULT 0")


def _notifications(db: sqlite_utils.Database) -> None:
    """Subscriptions and the outbox of their messages (versioner/store/subscriptions.py)."""
    from versioner.store.subscriptions import create_tables

    create_tables(db)


def _watchdog_signals(db: sqlite_utils.Database) -> None:
    """Notices and stealth edits (versioner/signals.py): each capture's notices (JSON list of [kind,
    text]), substance hash and live-blog entry count; each version's new notice and stealth flag."""
    from versioner.store.signals_backfill import backfill

    for table, column in WATCHDOG_COLUMNS:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
    backfill(db)


WATCHDOG_COLUMNS = (
    ("captures", "notices TEXT"),
    ("captures", "substance_hash TEXT"),
    ("captures", "live_entries INTEGER"),
    ("versions", "notice_kind TEXT"),
    ("versions", "notice_text TEXT"),
    ("versions", "stealth INTEGER NOT NULL DEFAULT 0"),
)


def _http_headers(db: sqlite_utils.Database) -> None:
    """The HTTP response headers of a capture where its source knew them (a fetch, a WARC record), as a
    JSON list of [name, value]: the WARC export writes them back (versioner/archive/warc_export.py)."""
    db.execute("ALTER TABLE captures ADD COLUMN http_headers TEXT")


def _aliases(db: sqlite_utils.Database) -> None:
    """One story under several URLs: aliases, each capture's URL where it was an alias, and the story id
    of every article's URL (versioner/store/aliases.py)."""
    from versioner.store.aliases import create_tables

    create_tables(db)


def _site_stats(db: sqlite_utils.Database) -> None:
    """Outlet statistics kept at ingest: article_stats, site_totals and the site_stats view
    (versioner/store/site_stats.py), filled from the versions stored so far."""
    from versioner.store.site_stats import create_tables

    create_tables(db)


def _visible_lines(db: sqlite_utils.Database) -> None:
    """Each capture's fingerprint of its page's visible lines, for the extraction-drift guard
    (versioner/store/visible_lines.py); captures stored before have none until `versioner reextract`."""
    from versioner.store.visible_lines import create_table

    create_table(db)


def _search_newest_first(db: sqlite_utils.Database) -> None:
    """Paragraph rowids that put each article's paragraphs together, newest articles last, so a search
    reads its matches newest first and stops when its page is full (versioner/store/search_index.py)."""
    from versioner.store.search_index import rebuild  # the schema's only use of the index

    rebuild(db)


def _compressed_diffs(db: sqlite_utils.Database) -> None:
    """Cached diffs compressed with the older text as dictionary, in a BLOB `data` column that replaces the
    JSON `diff` (versioner/store/diff_cache.py); the rows keep their stats, their diffs are computed
    again when first read."""
    from versioner.store.diff_cache import compress_table

    compress_table(db)


def _raw_against_texts(db: sqlite_utils.Database) -> None:
    """raw_blobs.text_id: a capture that is mostly its own text is compressed against it, not stored as
    a second copy of it (versioner/store/raw_captures.py); the captures stored so far are converted."""
    from versioner.store.raw_captures import compress_against_texts

    compress_against_texts(db)


def _unused_indexes(db: sqlite_utils.Database) -> None:
    """Indexes no query reads (EXPLAIN QUERY PLAN of every statement the test suite runs): captures by
    raw hash (the alias move's clash check seeks the captures' unique key instead) and texts by base
    (the recursive text view it served was replaced by versioner_text()). Neither table's parent row is
    ever deleted, so no foreign-key check needs them either."""
    db.execute("DROP INDEX captures_by_raw_hash")
    db.execute("DROP INDEX texts_by_base")


def _denser_search_rowids(db: sqlite_utils.Database) -> None:
    """Paragraph rowids of 18 bits per article, not 24 (ARTICLE_SHIFT in versioner/store/search_index.py):
    the index stores rowid deltas, and smaller ones make it about a tenth smaller; made again from the texts."""
    from versioner.store.search_index import rebuild  # the schema's only use of the index

    rebuild(db)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _initial,
    _web,
    _capture,
    _raw_deltas,
    _text_function,
    _diff_stats,
    _paragraph_index,
    _engine_version_keys,
    _private_hosts,
    _notifications,
    _watchdog_signals,
    _http_headers,
    _aliases,
    _site_stats,
    _visible_lines,
    _search_newest_first,
    _compressed_diffs,
    _raw_against_texts,
    _unused_indexes,
    _denser_search_rowids,
]
