"""Version texts, each distinct text of an article stored once and delta-compressed (codec.py).

A text is compressed against the most similar of its article's recent texts (an article's first text
against the keyframes of the site's most recently changed articles, or on its own, becoming one), and
read back by walking its chain of bases to a keyframe. Decoded texts are kept in a byte-budgeted cache:
texts never change, and the next version of an article wants the previous one as its base.

The same reader answers SQL: `register` makes `versioner_text(texts.id)` a function of a connection, which
the `version_texts` and `decoded_texts` views call row by row, so a query filtered to a few versions
decodes just those and their bases, however large the database.
"""

import sqlite3

import sqlite_utils

from versioner.errors import NotInArchive
from versioner.store import codec
from versioner.store.chains import Chain

CACHE_CHARACTERS = 16_000_000  # decoded texts kept in memory, about 16 MB of text or more


def register(conn: sqlite3.Connection, texts: "TextStore | None" = None) -> None:
    """Make `versioner_text(text_id)` available to SQL on this connection (for sqlite-utils, Datasette)."""
    conn.create_function("versioner_text", 1, (texts or TextStore(conn)).text_of)


class TextStore:
    """The `texts` table of a versioner database."""

    def __init__(self, db: sqlite_utils.Database | sqlite3.Connection):
        self.db = db
        self.chain = Chain(db, "texts", "id", "base_id", codec.decompress, CACHE_CHARACTERS, what="text")

    def put(self, article_id: int, content_hash: str, text: str) -> int | None:
        """Store a text unless the article has it already, compressed against a similar recent one.

        Returns the new row's id, None when the text was there.
        """
        if self.db.execute(
            "SELECT 1 FROM texts WHERE article_id = ? AND hash = ?", [article_id, content_hash]
        ).fetchone():
            return None
        recent = self.db.execute(
            "SELECT id, depth FROM texts WHERE article_id = ? ORDER BY id DESC LIMIT ?",
            [article_id, codec.CANDIDATE_BASES],
        ).fetchall()
        if not recent:  # an article's first text: keyframes of the site's latest articles may share
            recent = self.db.execute(  # its boilerplate (articles_by_site: a few index steps at any size)
                """SELECT id, depth FROM texts WHERE depth = 0 AND article_id IN (
                       SELECT id FROM articles WHERE site = (SELECT site FROM articles WHERE id = ?)
                       ORDER BY last_changed DESC LIMIT ?
                   ) ORDER BY id DESC""",
                [article_id, codec.CANDIDATE_BASES],
            ).fetchall()
        depths = {text_id: depth for text_id, depth in recent if depth < codec.MAX_DEPTH}
        if recent and not depths:  # the chain is full: branch off halfway down it, not from scratch
            branch = self.chain.ancestor(recent[0][0], codec.BRANCH_DEPTH)
            depths = dict([branch] if branch else [])
        base_id, data = codec.best_compression(text, ((tid, self.chain.get(tid)) for tid in depths))
        text_id = self.db.execute(
            "INSERT INTO texts (article_id, hash, base_id, depth, size, data) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [
                article_id,
                content_hash,
                base_id,
                0 if base_id is None else depths[base_id] + 1,
                len(text.encode()),
                data,
            ],
        ).fetchone()[0]
        self.chain.remember(text_id, text)  # the next version of this article will want it as a base
        return text_id

    def get(self, article_id: int, content_hash: str) -> str:
        return self.chain.get(self.id_of(article_id, content_hash))

    def id_of(self, article_id: int, content_hash: str) -> int:
        """The row id of an article's text; NotInArchive where the article has no such text."""
        row = self.db.execute(
            "SELECT id FROM texts WHERE article_id = ? AND hash = ?", [article_id, content_hash]
        ).fetchone()
        if row is None:
            raise NotInArchive(f"article {article_id} has no text {content_hash}")
        return row[0]

    def text_of(self, text_id: int | None) -> str | None:
        """A text by its row id, or None where there is no such row: `versioner_text()` in SQL."""
        try:
            return None if text_id is None else self.chain.get(text_id)
        except NotInArchive:
            return None

    def forget(self) -> None:
        """Drop every decoded text: after a rollback the cache may hold texts of rows that are gone."""
        self.chain.forget()
