"""The full-text index: each distinct paragraph (or headline) of an article indexed once.

Versions of an article share most of their paragraphs, so indexing every version whole repeated each
paragraph once per version, and the index grew to ten times the compressed texts. Here a text row links
to its paragraphs (`text_paragraphs`), and search.py finds, for each term of a query, the texts with a
matching paragraph, then keeps the texts that have them all. A phrase matches within one paragraph.

FTS5 writes its pending terms out at every savepoint, which made a segment per capture in a batch, so
new paragraphs wait in `pending` until the store commits (Store.transaction and batch flush it).
"""

import hashlib
import json

import sqlite_utils


class ParagraphIndex:
    """The `paragraphs`, `text_paragraphs` and `paragraphs_fts` tables of a versioner database."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.pending: list[tuple[int, str]] = []  # paragraphs_fts rows: (rowid, text)

    def add(self, article_id: int, text_id: int, title: str, text: str) -> None:
        """Link a new text to its headline and paragraphs, indexing the ones the article did not have."""
        parts = {_digest(part): part for part in [title, *text.split("\n\n")] if part.strip()}
        known = dict(
            self.db.execute(
                "SELECT hash, id FROM paragraphs WHERE article_id = ? AND hash IN (SELECT value FROM json_each(?))",
                [article_id, json.dumps(list(parts))],
            ).fetchall()
        )
        for digest, part in parts.items():
            if digest not in known:
                known[digest] = self.db.execute(
                    "INSERT INTO paragraphs (article_id, hash) VALUES (?, ?)", [article_id, digest]
                ).lastrowid
                self.pending.append((known[digest], part))
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO text_paragraphs (paragraph_id, text_id) VALUES (?, ?)",
            [(paragraph_id, text_id) for paragraph_id in known.values()],
        )

    def flush(self) -> None:
        """Write the queued paragraphs into the FTS5 index, inside the transaction about to commit."""
        self.db.conn.executemany("INSERT INTO paragraphs_fts (rowid, text) VALUES (?, ?)", self.pending)
        self.pending.clear()


def _digest(part: str) -> int:
    """64 bits of a hash, a small integer column: two paragraphs of one article never share it in practice."""
    digest = hashlib.blake2b(part.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
