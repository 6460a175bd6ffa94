"""Aliases: the other URLs of an article, and what a merge needs to be undone exactly.

Three tables' worth of facts (docs/database.md): `aliases` (a URL that names another URL's article,
and why), `capture_urls` (the URL a capture came in under, where it was not its article's own URL)
and `articles.story_id` (the long id in an article URL's path, found by versioner/aliases.py). A
merge moves captures and remembers each one's URL in capture_urls; a split moves back the captures
of the URLs it detaches. The one lookup by URL (Store.article_id_for_url) reads `aliases` first.
"""

import sqlite_utils

from versioner.errors import AliasError
from versioner.story_ids import story_id

SCHEMA = """
CREATE TABLE aliases (
    url TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    reason TEXT NOT NULL CHECK (reason IN ('redirect', 'canonical', 'story id', 'merge')),
    added_at TEXT NOT NULL,
    moved_from INTEGER REFERENCES articles (id)
);
CREATE INDEX aliases_by_article ON aliases (article_id);
CREATE INDEX aliases_by_moved_from ON aliases (moved_from);
CREATE TABLE capture_urls (
    capture_id INTEGER PRIMARY KEY REFERENCES captures (id),
    url TEXT NOT NULL
);
CREATE INDEX capture_urls_by_url ON capture_urls (url);
ALTER TABLE articles ADD COLUMN story_id TEXT;
CREATE INDEX articles_by_site_story_id ON articles (site, story_id) WHERE story_id IS NOT NULL;
CREATE INDEX articles_by_first_seen ON articles (first_seen)
"""


def create_tables(db: sqlite_utils.Database) -> None:
    """The alias tables, and the story id of every article stored so far."""
    for statement in SCHEMA.split(";\n"):
        db.execute(statement)
    for article_id, url in db.execute("SELECT id, url FROM articles").fetchall():
        found = story_id(url)
        if found:
            db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [found, article_id])


class Aliases:
    """The alias tables of one database (Store.aliases)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def add(self, url: str, article_id: int, reason: str, at: str, moved_from: int | None = None) -> None:
        """Make `url` name the article; a URL that is already an alias keeps its first article."""
        self.db.execute(
            "INSERT INTO aliases (url, article_id, reason, added_at, moved_from) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [url, article_id, reason, at, moved_from],
        )

    def get(self, url: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM aliases WHERE url = ?", [url]))
        return rows[0] if rows else None

    def of_articles(self, article_ids: list[int]) -> dict[int, list[dict]]:
        """Each article's aliases (url, reason, added_at), oldest first."""
        found: dict[int, list[dict]] = {article_id: [] for article_id in article_ids}
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self.db.query(
                f"SELECT article_id, url, reason, added_at FROM aliases WHERE article_id IN ({marks}) "
                "ORDER BY added_at, url",
                chunk,
            ):
                found[row.pop("article_id")].append(row)
        return found

    def set_story_id(self, article_id: int, story_id: str | None) -> None:
        self.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story_id, article_id])

    def url_with_story_id(self, site: str, story_id: str) -> str | None:
        """The URL of the first article of the site whose path carries this id."""
        row = self.db.execute(
            "SELECT url FROM articles WHERE site = ? AND story_id = ? ORDER BY id LIMIT 1", [site, story_id]
        ).fetchone()
        return row[0] if row else None

    def remember_capture_url(self, capture_id: int, url: str) -> None:
        self.db.execute(
            "INSERT INTO capture_urls (capture_id, url) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [capture_id, url],
        )

    def move_captures(self, source: dict, target_id: int) -> list[str]:
        """Every capture of `source` goes to the target, each remembering its URL; the content hashes moved."""
        self.db.execute(
            "INSERT INTO capture_urls (capture_id, url) SELECT id, ? FROM captures WHERE article_id = ? "
            "ON CONFLICT DO NOTHING",
            [source["url"], source["id"]],
        )
        return self._move("SELECT id FROM captures WHERE article_id = :source", source["id"], target_id)

    def move_captures_of_urls(self, urls: list[str], source_id: int, target: dict) -> list[str]:
        """The captures of `source_id` that came in under one of `urls` go to `target`; the hashes moved."""
        marks = ", ".join(f":u{i}" for i in range(len(urls)))
        params = {f"u{i}": url for i, url in enumerate(urls)}
        hashes = self._move(
            "SELECT c.id FROM captures c JOIN capture_urls u ON u.capture_id = c.id "
            f"WHERE c.article_id = :source AND u.url IN ({marks})",
            source_id,
            target["id"],
            params,
        )
        self.db.execute(  # a capture back under its article's own URL needs no note
            "DELETE FROM capture_urls WHERE url = ? AND capture_id IN (SELECT id FROM captures WHERE article_id = ?)",
            [target["url"], target["id"]],
        )
        return hashes

    def _move(self, selection: str, source_id: int, target_id: int, params: dict | None = None) -> list[str]:
        params = {"source": source_id, "target": target_id, **(params or {})}
        clash = self.db.execute(
            f"""SELECT c.fetched_at FROM captures c JOIN captures t
                ON t.article_id = :target AND t.fetched_at = c.fetched_at AND t.raw_hash = c.raw_hash
                WHERE c.id IN ({selection}) LIMIT 1""",
            params,
        ).fetchone()
        if clash:
            raise AliasError(f"both articles hold the same capture of {clash[0]}: nothing was moved")
        hashes = [
            row[0]
            for row in self.db.execute(
                f"SELECT DISTINCT content_hash FROM captures WHERE id IN ({selection}) "
                "AND status IN ('accepted', 'truncated')",
                params,
            ).fetchall()
        ]
        self.db.execute(f"UPDATE captures SET article_id = :target WHERE id IN ({selection})", params)
        return hashes

    def move_aliases(self, source_id: int, target_id: int) -> None:
        """A merge: the source's aliases name the target now, remembering where they came from."""
        self.db.execute(
            "UPDATE aliases SET article_id = ?, moved_from = coalesce(moved_from, ?) WHERE article_id = ?",
            [target_id, source_id, source_id],
        )

    def detach(self, url: str, article_id: int, target_id: int) -> list[str]:
        """A split: the alias `url` and those a merge brought from the target leave article_id.

        The URLs whose captures go with them are returned; the aliases a merge moved go back.
        """
        moved = [
            row[0]
            for row in self.db.execute(
                "SELECT url FROM aliases WHERE article_id = ? AND moved_from = ? AND url != ?",
                [article_id, target_id, url],
            ).fetchall()
        ]
        self.db.execute("DELETE FROM aliases WHERE url = ?", [url])
        self.db.execute(
            "UPDATE aliases SET article_id = ?, moved_from = NULL WHERE article_id = ? AND moved_from = ?",
            [target_id, article_id, target_id],
        )
        return [url, *moved]

    def title_of(self, article_id: int, content_hash: str) -> str:
        """The headline a capture of this text had (what the search index files the text under)."""
        row = self.db.execute(
            "SELECT title FROM captures WHERE article_id = ? AND content_hash = ? LIMIT 1",
            [article_id, content_hash],
        ).fetchone()
        return row[0] if row else ""

    def newest_first_texts(self, limit: int) -> list[dict]:
        """The newest listed articles (articles_by_first_seen) with their first version's text hash."""
        return list(
            self.db.query(
                """SELECT a.id, a.url, a.site, a.first_seen, a.story_id, v.text_hash
                FROM articles a JOIN versions v ON v.article_id = a.id AND v.n = 1
                WHERE a.last_changed IS NOT NULL
                ORDER BY a.first_seen DESC LIMIT ?""",
                [limit],
            )
        )
