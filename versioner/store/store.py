"""The store: one database, its transactions, and the articles, captures and versions in it.

Everything else of the database is reached through a Store's attributes, one way each: `texts`,
`raw_captures`, `search_index`, `diff_cache` and `watchlist` (the modules beside this one).
"""

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from versioner.errors import NotInArchive, StorageError
from versioner.store import pg_schema
from versioner.store.aliases import Aliases
from versioner.store.capture_export import CaptureExport
from versioner.store.diff_cache import DiffCache
from versioner.store.postgres import PostgresDatabase, is_postgres_url, safe_location
from versioner.store.raw_captures import RawStore
from versioner.store.schema import SqliteDatabase, connect
from versioner.store.search_index import ParagraphIndex
from versioner.store.site_stats import SiteStats
from versioner.store.subscriptions import Subscriptions
from versioner.store.texts import TextStore
from versioner.store.texts import register as register_text_function
from versioner.store.visible_lines import VisibleLines
from versioner.store.watchlist import Watchlist

BATCH_SECONDS = 0.5


@dataclass(frozen=True)
class VersionInfo:
    """One version of an article as listed: everything but its text."""

    id: int
    article_id: int
    n: int
    title: str
    byline: str
    text_hash: str
    words: int
    published: str | None
    updated: str | None
    first_seen: str
    last_seen: str
    capture_count: int
    revert_of: int | None
    notice_kind: str | None = None  # the watchdog signals of its change (versioner/signals.py)
    notice_text: str | None = None
    stealth: int = 0


@dataclass(frozen=True)
class Version(VersionInfo):
    """One version with its text (paragraphs joined by blank lines)."""

    text: str = field(kw_only=True)


@dataclass(frozen=True)
class CaptureState:
    """What the versioning rule needs to know of a capture."""

    id: int
    fetched_at: str
    content_hash: str
    words: int
    status: str
    version_id: int | None
    title: str
    byline: str
    published: str | None
    updated: str | None
    notices: str | None = None  # the watchdog signals of its page (versioner/signals.py)
    substance_hash: str | None = None
    live_entries: int | None = None
    reason: str | None = None  # why the rule placed or held it as it did (a drift, a truncation)


def _storage_error(err: BaseException) -> BaseException:
    """The engines' own errors said as a StorageError; anything else unchanged."""
    if isinstance(err, sqlite3.Error | psycopg.Error):
        return StorageError(f"the database refused a write: {err}")
    return err


class BatchLost(StorageError):
    """SQLite rolled back a whole batch (a full disk, an I/O error): its uncommitted units are gone."""


class Store:
    """A versioner database: open one per process or per web request."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self.where = safe_location(self.path)  # for messages: a PostgreSQL URL without its password
        self._batch_started: float | None = None
        self._batch_seconds = BATCH_SECONDS
        try:
            self.db = _open(self.path)
        except StorageError:  # said already: a newer schema, a damaged file
            raise
        except Exception as err:  # sqlite3.DatabaseError and friends: an unusable file, said plainly
            raise StorageError(f"cannot open database {path}: {err}") from None
        self.texts = TextStore(self.db)
        if self.db.dialect == "sqlite":  # one cache, emptied with the store's on rollback
            register_text_function(self.db.conn, self.texts)
        self.raw_captures = RawStore(self.db, self.texts)
        self.search_index = ParagraphIndex(self.db)
        self.diff_cache = DiffCache(self.db)
        self.watchlist = Watchlist(self.db)
        self.visible_lines = VisibleLines(self.db)
        self.aliases = Aliases(self.db)
        self.site_stats = SiteStats(self.db)
        self.capture_export = CaptureExport(self.db)
        self.subscriptions = Subscriptions(self.db)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One unit of work, all or nothing: its own write transaction, or a savepoint inside a batch.

        On SQLite the write lock is taken up front, so concurrent writers queue cleanly. PostgreSQL
        writers run side by side, each unit serialised with the others on its article (`serialise`),
        and each unit commits on its own even inside a batch: a batch holding the locks of many
        articles would deadlock with another.
        """
        if self._batch_started is not None and self.db.dialect == "sqlite":
            with self._savepoint():
                yield
            return
        try:
            self.db.execute(self.db.begin_write)
        except Exception as err:
            raise StorageError(f"cannot start a write on {self.where}: {err}") from None
        try:
            yield
            self.search_index.flush()
            self.db.execute("COMMIT")
        except BaseException as err:
            self._forget_decoded()
            self.search_index.pending.clear()
            if self.db.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
                self.db.execute("ROLLBACK")
            raise _storage_error(err) from None

    def serialise(self, *keys: str) -> None:
        """Make the units of work that name one of these keys (an article, a URL) take turns.

        The versioning rule is a function of all of an article's captures, so two writers of one
        article must not interleave. SQLite has one writer at a time already; on PostgreSQL each key
        is an advisory lock held until the unit commits, so writers of other articles go on.
        """
        if self.db.dialect == "postgresql":
            for key in keys:
                self.db.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [key])

    def hold_snapshot(self) -> None:
        """Read all that follows from one snapshot (WAL): a page built from several queries never sees
        a writer's commit halfway, and blocks no writer. release_snapshot() ends it."""
        self.db.execute(self.db.begin_snapshot)

    def release_snapshot(self) -> None:
        """End the snapshot, keeping what the reader cached meanwhile (a computed diff)."""
        try:
            if self.db.in_transaction:
                self.db.execute("COMMIT")
        except (sqlite3.Error, psycopg.Error, StorageError):
            pass  # a busy or damaged database: closing rolls back, and the cached diff is computed again later

    @contextmanager
    def batch(self, seconds: float = BATCH_SECONDS) -> Iterator["Store"]:
        """Group the units of work inside into one commit every `seconds` (call `commit_if_due`).

        Each unit stays atomic (a savepoint); a crash loses at most the uncommitted units, which a
        re-run stores again. Many small commits are what limits ingest speed otherwise.
        """
        self._batch_started = time.monotonic()
        self._batch_seconds = seconds
        try:
            yield self
        finally:
            self._batch_started = None
            if self.db.in_transaction:
                self.search_index.flush()
                self.db.execute("COMMIT")

    def commit_if_due(self) -> bool:
        """Inside a batch: commit when the batch is old enough; True if it did."""
        if not self.db.in_transaction or time.monotonic() - self._batch_started < self._batch_seconds:
            return False
        self.search_index.flush()
        self.db.execute("COMMIT")
        self._batch_started = time.monotonic()
        return True

    def _forget_decoded(self) -> None:
        """After a rollback: what was decoded in memory may belong to rows that are gone."""
        self.texts.forget()
        self.raw_captures.forget()

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        try:
            if not self.db.in_transaction:
                self.db.execute(self.db.begin_write)
            self.db.execute("SAVEPOINT unit")
        except Exception as err:
            raise StorageError(f"cannot start a write on {self.where}: {err}") from None
        queued = len(self.search_index.pending)
        try:
            yield
            self.db.execute("RELEASE unit")
        except BaseException as err:
            self._forget_decoded()
            del self.search_index.pending[queued:]
            if not self.db.in_transaction:
                self.search_index.pending.clear()
                raise BatchLost(
                    f"the database refused a write and dropped the uncommitted batch: {err}"
                ) from None
            self.db.execute("ROLLBACK TO unit")
            self.db.execute("RELEASE unit")
            raise _storage_error(err) from None

    # --- articles -------------------------------------------------------------------------------

    def article_id_for_url(self, url: str) -> int | None:
        """The one lookup by URL: an alias names its article (versioner/store/aliases.py)."""
        row = self.db.execute(f"SELECT {ID_FOR_URL}", {"url": url}).fetchone()
        return row[0] if row else None

    def create_article(self, url: str, site: str, seen: str) -> int:
        cursor = self.db.execute(
            "INSERT INTO articles (url, site, first_seen, last_seen) VALUES (?, ?, ?, ?) RETURNING id",
            [url, site, seen, seen],
        )
        return cursor.fetchone()[0]

    def article(self, ref: str | int) -> dict:
        """An article by id or URL; NotInArchive otherwise."""
        ref = str(ref).strip()
        column = "id" if ref.isdigit() else "url"
        where = "id = :url" if column == "id" else f"id = ({ID_FOR_URL})"
        rows = list(self.db.query(f"SELECT * FROM articles WHERE {where}", {"url": ref}))
        if not rows and column == "url":
            from versioner.urls import canonical_url  # a user may paste the link with tracking parameters

            try:
                rows = list(
                    self.db.query(f"SELECT * FROM articles WHERE {where}", {"url": canonical_url(ref)})
                )
            except Exception:
                rows = []
        if not rows:
            raise NotInArchive(f"no article {ref!r}")
        return rows[0]

    def articles(self, limit: int = 50, offset: int = 0, site: str | None = None) -> list[dict]:
        """Articles with a version, most recently changed first (one whose every capture was rejected
        has nothing to read: it is reached by its URL, not listed)."""
        where, params = _listed(site)
        return list(
            self.db.query(
                f"SELECT * FROM articles {where} ORDER BY last_changed DESC, id DESC LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
        )

    def article_count(self, site: str | None = None) -> int:
        """How many articles articles() lists: read from the sites' totals (site_stats.py), kept at
        ingest, as a count over the articles table grows with the archive on every page."""
        where, params = ("WHERE site = ?", [site]) if site else ("", [])
        return self.db.execute(
            f"SELECT coalesce(sum(articles), 0) FROM site_totals {where}", params
        ).fetchone()[0]

    def sites(self) -> list[dict]:
        """Sites with a listed article and how many, from the sites' totals (one row per site)."""
        return list(self.db.query("SELECT site, articles FROM site_totals WHERE articles > 0 ORDER BY site"))

    def refresh_article(self, article_id: int) -> None:
        """Recompute the article's summary columns from its captures and versions."""
        self.db.execute(
            """
            UPDATE articles SET
                first_seen = coalesce((SELECT min(fetched_at) FROM captures WHERE article_id = :id), first_seen),
                last_seen = coalesce((SELECT max(fetched_at) FROM captures WHERE article_id = :id), last_seen),
                capture_count = (SELECT count(*) FROM captures WHERE article_id = :id),
                version_count = (SELECT count(*) FROM versions WHERE article_id = :id),
                title = coalesce((SELECT title FROM versions WHERE article_id = :id ORDER BY n DESC LIMIT 1), title),
                last_changed = (SELECT first_seen FROM versions WHERE article_id = :id ORDER BY n DESC LIMIT 1)
            WHERE id = :id
            """,
            {"id": article_id},
        )
        self.site_stats.refresh(article_id)

    # --- captures -------------------------------------------------------------------------------

    def capture_exists(self, article_id: int, fetched_at: str, raw_hash: str) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM captures WHERE article_id = ? AND fetched_at = ? AND raw_hash = ?",
                [article_id, fetched_at, raw_hash],
            ).fetchone()
            is not None
        )

    def insert_capture(self, **columns) -> int:
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        return self.db.execute(
            f"INSERT INTO captures ({names}) VALUES ({marks}) RETURNING id", list(columns.values())
        ).fetchone()[0]

    def candidate_captures(self, article_id: int) -> list[CaptureState]:
        """Captures whose content may make a version, in the order the versioning rule reads them."""
        rows = self.db.execute(
            """
            SELECT id, fetched_at, content_hash, words, status, version_id, title, byline, published, updated,
                   notices, substance_hash, live_entries, reason
            FROM captures WHERE article_id = ? AND status IN ('accepted', 'truncated')
            ORDER BY fetched_at, content_hash, id
            """,
            [article_id],
        ).fetchall()
        return [CaptureState(*row) for row in rows]

    def set_capture_state(
        self, capture_id: int, status: str, reason: str | None, version_id: int | None
    ) -> None:
        self.db.execute(
            "UPDATE captures SET status = ?, reason = ?, version_id = ? WHERE id = ?",
            [status, reason, version_id, capture_id],
        )

    def captures(self, article_id: int) -> list[dict]:
        """Captures of an article, oldest first, with the version each landed on; no raw bytes."""
        return list(
            self.db.query(
                """SELECT c.id, c.fetched_at, c.ingested_at, c.source, c.raw_hash, c.http_status, c.status,
                       c.reason, c.title, c.words, v.n AS version
                FROM captures c LEFT JOIN versions v ON v.id = c.version_id
                WHERE c.article_id = ? ORDER BY c.fetched_at, c.id""",
                [article_id],
            )
        )

    def capture(self, capture_id: int) -> dict:
        rows = list(self.db.query("SELECT * FROM captures WHERE id = ?", [capture_id]))
        if not rows:
            raise NotInArchive(f"no capture {capture_id}")
        return rows[0]

    # --- re-extraction (versioner/reextract.py) --------------------------------------------------

    def article_ids(self, after: int = 0, limit: int = 500) -> list[int]:
        """Ids of every article, listed or not, above `after`: a pass over a large archive pages by them."""
        rows = self.db.execute("SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?", [after, limit])
        return [row[0] for row in rows]

    def article_total(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def capture_rows(self, article_id: int) -> list[dict]:
        """Every column of an article's captures, oldest first: what re-extraction reads and compares."""
        return list(
            self.db.query("SELECT * FROM captures WHERE article_id = ? ORDER BY fetched_at, id", [article_id])
        )

    def update_capture(self, capture_id: int, columns: dict) -> None:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self.db.execute(f"UPDATE captures SET {assignments} WHERE id = ?", [*columns.values(), capture_id])

    # --- versions -------------------------------------------------------------------------------

    def versions(self, article_id: int) -> list[VersionInfo]:
        """The versions of an article in order, without their texts (cheap for long histories)."""
        rows = self.db.execute(
            f"SELECT {VERSION_COLUMNS} FROM versions WHERE article_id = ? ORDER BY n", [article_id]
        ).fetchall()
        return [VersionInfo(*row) for row in rows]

    def version(self, article_id: int, n: int) -> Version:
        """One version with its text."""
        return self.with_text(self.version_info(article_id, n))

    def version_info(self, article_id: int, n: int) -> VersionInfo:
        """One version without its text: what lists and diff keys need, with nothing to decode."""
        row = self.db.execute(
            f"SELECT {VERSION_COLUMNS} FROM versions WHERE article_id = ? AND n = ?", [article_id, n]
        ).fetchone()
        if row is None:
            raise NotInArchive(f"article {article_id} has no version {n}")
        return VersionInfo(*row)

    def with_text(self, info: VersionInfo) -> Version:
        """The version with its text (a Version already has it)."""
        if isinstance(info, Version):
            return info
        return Version(**vars(info), text=self.texts.get(info.article_id, info.text_hash))

    def put_text(self, article_id: int, content_hash: str, title: str, text: str) -> int:
        """Store a text (unless the article has it) and index its new paragraphs for search; returns
        the text's row id."""
        text_id = self.texts.put(article_id, content_hash, text)
        if text_id is None:
            return self.texts.id_of(article_id, content_hash)
        self.search_index.add(article_id, text_id, title, text)
        return text_id

    def insert_version(self, article_id: int, n: int, fields: dict) -> int:
        """A new version row; its text must be in `texts` first (put_text)."""
        columns = {"article_id": article_id, "n": n, **fields}
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        return self.db.execute(
            f"INSERT INTO versions ({names}) VALUES ({marks}) RETURNING id", list(columns.values())
        ).fetchone()[0]

    def update_version(self, old: VersionInfo, fields: dict) -> None:
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self.db.execute(f"UPDATE versions SET {assignments} WHERE id = ?", [*fields.values(), old.id])

    def delete_version(self, old: VersionInfo) -> None:
        self.db.execute("DELETE FROM versions WHERE id = ?", [old.id])

    # --- web UI: reading views and the diff cache ---------------------------------------------

    def versions_with_hash(self, article_id: int, prefix: str) -> list[VersionInfo]:
        """Versions whose text hash starts with prefix (a revert shares its hash with an earlier one)."""
        rows = self.db.execute(
            f"""SELECT {VERSION_COLUMNS} FROM versions
                WHERE article_id = ? AND substr(text_hash, 1, ?) = ? ORDER BY n""",
            [article_id, len(prefix), prefix.lower()],
        ).fetchall()
        return [VersionInfo(*row) for row in rows]

    def recent_versions(self, limit: int = 50, article_id: int | None = None) -> list[dict]:
        """(article_id, n, first_seen) of the newest versions, of all articles or one (for feeds)."""
        where, params = ("WHERE article_id = :article", {"article": article_id}) if article_id else ("", {})
        return list(
            self.db.query(
                f"""SELECT article_id, n, first_seen FROM versions
                {where} ORDER BY first_seen DESC, article_id DESC, n DESC LIMIT :limit""",
                {**params, "limit": limit},
            )
        )


def _open(location: str) -> SqliteDatabase | PostgresDatabase:
    """The database at an SQLite path or a postgresql:// URL, created or migrated to this schema."""
    if is_postgres_url(location):
        db = PostgresDatabase(location)
        try:
            pg_schema.migrate(db)
        except BaseException:
            db.close()
            raise
        return db
    return connect(location)


def _listed(site: str | None) -> tuple[str, list]:
    """The articles lists show: those with a version (last_changed is its first sighting), of one site."""
    if site:
        return "WHERE site = ? AND last_changed IS NOT NULL", [site]
    return "WHERE last_changed IS NOT NULL", []


# An alias names the article it was merged into, before the merged article's own row.
ID_FOR_URL = (
    "coalesce((SELECT article_id FROM aliases WHERE url = :url), (SELECT id FROM articles WHERE url = :url))"
)
VERSION_COLUMNS = (
    "id, article_id, n, title, byline, text_hash, words, published, updated, "
    "first_seen, last_seen, capture_count, revert_of, notice_kind, notice_text, stealth"
)
