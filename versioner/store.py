"""Every query versioner makes: the one place that knows the SQL (schema and migrations: schema.py)."""

import hashlib
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
import zstandard

from .errors import NotFound, StorageError, VersionerError
from .schema import connect

RAW_COMPRESSION_LEVEL = 9


@dataclass(frozen=True)
class Version:
    """One version of an article as stored."""

    id: int
    article_id: int
    n: int
    title: str
    byline: str
    text: str
    text_hash: str
    words: int
    published: str | None
    updated: str | None
    first_seen: str
    last_seen: str
    capture_count: int
    revert_of: int | None


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


class Store:
    """A versioner database: open one per process or per web request."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        try:
            self.db: sqlite_utils.Database = connect(path)
        except Exception as err:  # sqlite3.DatabaseError and friends: an unusable file, said plainly
            raise StorageError(f"cannot open database {path}: {err}") from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, taking the write lock up front so concurrent writers queue cleanly."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except Exception as err:
            raise StorageError(f"cannot start a write on {self.path}: {err}") from None
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException as err:
            if self.db.conn.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
                self.db.execute("ROLLBACK")
            if isinstance(err, Exception) and err.__class__.__module__ == "sqlite3":
                raise StorageError(f"the database refused a write: {err}") from None
            raise

    # --- articles -------------------------------------------------------------------------------

    def article_id_for_url(self, url: str) -> int | None:
        row = self.db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()
        return row[0] if row else None

    def create_article(self, url: str, site: str, seen: str) -> int:
        cursor = self.db.execute(
            "INSERT INTO articles (url, site, first_seen, last_seen) VALUES (?, ?, ?, ?)",
            [url, site, seen, seen],
        )
        return cursor.lastrowid

    def article(self, ref: str | int) -> dict:
        """An article by id or URL; NotFound otherwise."""
        ref = str(ref).strip()
        column = "id" if ref.isdigit() else "url"
        rows = list(self.db.query(f"SELECT * FROM articles WHERE {column} = ?", [ref]))
        if not rows and column == "url":
            from .urls import canonical_url  # a user may paste the link with tracking parameters

            try:
                rows = list(self.db.query("SELECT * FROM articles WHERE url = ?", [canonical_url(ref)]))
            except Exception:
                rows = []
        if not rows:
            raise NotFound(f"no article {ref!r}")
        return rows[0]

    def articles(self, limit: int = 50, offset: int = 0, site: str | None = None) -> list[dict]:
        """Articles, most recently changed first."""
        where, params = ("WHERE site = ?", [site]) if site else ("", [])
        return list(
            self.db.query(
                f"SELECT * FROM articles {where} ORDER BY last_changed DESC, id DESC LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
        )

    def article_count(self, site: str | None = None) -> int:
        where, params = ("WHERE site = ?", [site]) if site else ("", [])
        return self.db.execute(f"SELECT count(*) FROM articles {where}", params).fetchone()[0]

    def sites(self) -> list[dict]:
        return list(
            self.db.query("SELECT site, count(*) AS articles FROM articles GROUP BY site ORDER BY site")
        )

    def refresh_article(self, article_id: int) -> None:
        """Recompute the article's summary columns from its captures and versions."""
        self.db.execute(
            """
            UPDATE articles SET
                first_seen = (SELECT min(fetched_at) FROM captures WHERE article_id = :id),
                last_seen = (SELECT max(fetched_at) FROM captures WHERE article_id = :id),
                capture_count = (SELECT count(*) FROM captures WHERE article_id = :id),
                version_count = (SELECT count(*) FROM versions WHERE article_id = :id),
                title = coalesce((SELECT title FROM versions WHERE article_id = :id ORDER BY n DESC LIMIT 1), title),
                last_changed = (SELECT first_seen FROM versions WHERE article_id = :id ORDER BY n DESC LIMIT 1)
            WHERE id = :id
            """,
            {"id": article_id},
        )

    # --- raw bytes ------------------------------------------------------------------------------

    def put_raw(self, raw: bytes) -> str:
        """Store raw bytes once, compressed; returns their hash."""
        digest = hashlib.sha256(raw).hexdigest()
        if self.db.execute("SELECT 1 FROM raw_blobs WHERE hash = ?", [digest]).fetchone() is None:
            data = zstandard.ZstdCompressor(level=RAW_COMPRESSION_LEVEL).compress(raw)
            self.db.execute(
                "INSERT INTO raw_blobs (hash, size, compression, data) VALUES (?, ?, 'zstd', ?)",
                [digest, len(raw), data],
            )
        return digest

    def raw(self, raw_hash: str) -> bytes:
        row = self.db.execute("SELECT compression, data FROM raw_blobs WHERE hash = ?", [raw_hash]).fetchone()
        if row is None:
            raise NotFound(f"no raw capture {raw_hash}")
        return zstandard.ZstdDecompressor().decompress(row[1]) if row[0] == "zstd" else row[1]

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
            f"INSERT INTO captures ({names}) VALUES ({marks})", list(columns.values())
        ).lastrowid

    def candidate_captures(self, article_id: int) -> list[CaptureState]:
        """Captures whose content may make a version, in the order the versioning rule reads them."""
        rows = self.db.execute(
            """
            SELECT id, fetched_at, content_hash, words, status, version_id, title, byline, published, updated
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

    def capture_raw_hash(self, content_hash: str, article_id: int) -> tuple[str, str | None]:
        """The raw bytes (hash) and kind hint of a capture with this content, to extract it again."""
        row = self.db.execute(
            "SELECT raw_hash, kind_hint FROM captures WHERE article_id = ? AND content_hash = ? LIMIT 1",
            [article_id, content_hash],
        ).fetchone()
        if row is None:
            raise NotFound(f"article {article_id} has no capture with content {content_hash}")
        return row[0], row[1]

    def captures(self, article_id: int, version_id: int | None = None) -> list[dict]:
        """Captures of an article (or of one version), oldest first, without the raw bytes."""
        where, params = "c.article_id = ?", [article_id]
        if version_id is not None:
            where, params = where + " AND c.version_id = ?", params + [version_id]
        return list(
            self.db.query(
                f"""SELECT c.id, c.fetched_at, c.ingested_at, c.source, c.raw_hash, c.http_status, c.status,
                       c.reason, c.title, c.words, v.n AS version
                FROM captures c LEFT JOIN versions v ON v.id = c.version_id
                WHERE {where} ORDER BY c.fetched_at, c.id""",
                params,
            )
        )

    def capture(self, capture_id: int) -> dict:
        rows = list(self.db.query("SELECT * FROM captures WHERE id = ?", [capture_id]))
        if not rows:
            raise NotFound(f"no capture {capture_id}")
        return rows[0]

    # --- versions -------------------------------------------------------------------------------

    def versions(self, article_id: int) -> list[Version]:
        rows = self.db.execute(
            f"SELECT {VERSION_COLUMNS} FROM versions WHERE article_id = ? ORDER BY n", [article_id]
        ).fetchall()
        return [Version(*row) for row in rows]

    def version(self, article_id: int, n: int) -> Version:
        row = self.db.execute(
            f"SELECT {VERSION_COLUMNS} FROM versions WHERE article_id = ? AND n = ?", [article_id, n]
        ).fetchone()
        if row is None:
            raise NotFound(f"article {article_id} has no version {n}")
        return Version(*row)

    def texts_by_hash(self, article_id: int) -> dict[str, tuple[str, str]]:
        """title and text of every content an article has a version of, by content hash."""
        rows = self.db.execute(
            "SELECT text_hash, title, text FROM versions WHERE article_id = ?", [article_id]
        ).fetchall()
        return {row[0]: (row[1], row[2]) for row in rows}

    def insert_version(self, article_id: int, n: int, fields: dict) -> int:
        columns = {"article_id": article_id, "n": n, **fields}
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        return self.db.execute(
            f"INSERT INTO versions ({names}) VALUES ({marks})", list(columns.values())
        ).lastrowid

    def update_version(self, version_id: int, fields: dict) -> None:
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self.db.execute(f"UPDATE versions SET {assignments} WHERE id = ?", [*fields.values(), version_id])

    def delete_version(self, version_id: int) -> None:
        self.db.execute("DELETE FROM versions WHERE id = ?", [version_id])

    # --- web UI: reading views and the diff cache ---------------------------------------------

    def versions_with_hash(self, article_id: int, prefix: str) -> list[Version]:
        """Versions whose text hash starts with prefix (a revert shares its hash with an earlier one)."""
        rows = self.db.execute(
            f"""SELECT {VERSION_COLUMNS} FROM versions
                WHERE article_id = ? AND substr(text_hash, 1, ?) = ? ORDER BY n""",
            [article_id, len(prefix), prefix.lower()],
        ).fetchall()
        return [Version(*row) for row in rows]

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

    def search(self, text: str, limit: int = 20, offset: int = 0) -> tuple[int, list[dict]]:
        """Articles whose versions match text (best first): the total and one page of hits.

        Each hit carries the latest matching version's n, its highlighted title and a snippet with
        matches between MATCH_START and MATCH_END, and `matching`: every version n that matched.
        """
        query = fts_query(text)
        if not query:
            return 0, []
        params = {"query": query, "start": MATCH_START, "end": MATCH_END, "limit": limit, "offset": offset}
        try:
            count_sql = _search_hits_sql("SELECT count(*) FROM per_article")
            total = self.db.execute(count_sql, params).fetchone()[0]
            rows = list(
                self.db.query(
                    _search_hits_sql("""
                SELECT a.id, a.url, a.site, a.title, a.version_count, a.last_changed,
                       h.n, h.title_match, h.snippet, p.matching
                FROM per_article p
                JOIN hits h ON h.article_id = p.article_id AND h.n = p.latest
                JOIN articles a ON a.id = p.article_id
                ORDER BY p.best, a.last_changed DESC LIMIT :limit OFFSET :offset"""),
                    params,
                )
            )
        except sqlite3.OperationalError as err:
            raise SearchSyntaxError(f"cannot search for {text!r}: {err}") from None
        for row in rows:
            row["matching"] = sorted(int(n) for n in str(row["matching"]).split(","))
        return total, rows

    def cached_diff(self, key: str) -> str | None:
        """A diff computed before (JSON text), by the key web.diffs derives from both sides."""
        row = self.db.execute("SELECT diff FROM diff_cache WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def put_cached_diff(self, key: str, diff: str, computed_at: str) -> None:
        """Keep a computed diff; a read-only or busy database just means it is computed again."""
        try:
            self.db.execute(
                "INSERT OR IGNORE INTO diff_cache (key, diff, computed_at) VALUES (?, ?, ?)",
                [key, diff, computed_at],
            )
        except sqlite3.OperationalError:
            pass


VERSION_COLUMNS = (
    "id, article_id, n, title, byline, text, text_hash, words, published, updated, "
    "first_seen, last_seen, capture_count, revert_of"
)


# --- search, for the web UI ------------------------------------------------------------------------

# Markers snippet()/highlight() put around matches; escaped text never contains them as markup.
MATCH_START, MATCH_END = "\x02", "\x03"
_SEARCH_TERM = re.compile(r'"([^"]*)"?|(\S+)')


class SearchSyntaxError(VersionerError):
    """A search query that SQLite's full-text engine could not read."""


def fts_query(text: str) -> str:
    """A user's search box input as an FTS5 query that cannot be malformed.

    Every word (or "quoted phrase") becomes a quoted FTS5 string, so operators such as NEAR, AND,
    column filters and stray quotes are searched as words; a trailing * keeps its prefix meaning.
    """
    terms = []
    for phrase, word in _SEARCH_TERM.findall(text):
        term = phrase if phrase else word
        prefix = word.endswith("*") and len(word) > 1
        term = term.rstrip("*") if prefix else term
        if term.strip():
            terms.append('"' + term.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


def _search_hits_sql(where: str) -> str:
    return f"""
        WITH hits AS MATERIALIZED (
            SELECT v.article_id, v.n, bm25(versions_fts, 4.0, 1.0) AS score,
                   highlight(versions_fts, 0, :start, :end) AS title_match,
                   snippet(versions_fts, 1, :start, :end, '…', 24) AS snippet
            FROM versions_fts JOIN versions v ON v.id = versions_fts.rowid
            WHERE versions_fts MATCH :query
        ),
        per_article AS (
            SELECT article_id, group_concat(n) AS matching, min(score) AS best, max(n) AS latest
            FROM hits GROUP BY article_id
        )
        {where}
    """
