"""Raw captures, each distinct byte string stored once, compressed against what it most resembles.

Consecutive copies of a page differ in a few bytes (tracking ids, ads), so a capture is compressed
against the article's previous capture and costs about what changed. A capture that is mostly its own
extracted text (a plain-text snapshot: its headline, a blank line and the text) is compressed against
that text, stored in `texts` anyway, where that is smaller: it then costs its headline and a few bytes,
not a second copy of the text. Either way zstd gives back the exact bytes (codec.py).

Chains of bases are bounded as for texts (codec.MAX_DEPTH, branching off halfway down when full), and
decoded captures are kept in a byte-budgeted cache: each article's last capture is its next one's base.
"""

import hashlib
import sqlite3

import sqlite_utils

from versioner.store import codec
from versioner.store.chains import Chain
from versioner.store.texts import TextStore

COMPRESSION_LEVEL = 3  # raw pages are large and rarely read: the fast level
CACHE_BYTES = 32_000_000
MOSTLY_TEXT = 2  # a capture at most this many times the size of its text is tried against the text


def digest(raw: bytes) -> str:
    """The hash a raw capture is stored and named by."""
    return hashlib.sha256(raw).hexdigest()


class RawStore:
    """The `raw_blobs` table of a versioner database."""

    def __init__(self, db: sqlite_utils.Database | sqlite3.Connection, texts: TextStore):
        self.db = db
        self.texts = texts
        self.chain = Chain(
            db,
            "raw_blobs",
            "hash",
            "base_hash",
            codec.unpack,
            CACHE_BYTES,
            what="raw capture",
            root=self._text_dictionary,
        )

    def put(self, raw: bytes, article_id: int, text_id: int | None = None) -> str:
        """Store raw bytes once, compressed against the article's previous capture or against the text
        extracted from them (`text_id`, a texts row), whichever is smaller; returns their hash."""
        raw_hash = digest(raw)
        if self.db.execute("SELECT 1 FROM raw_blobs WHERE hash = ?", [raw_hash]).fetchone() is not None:
            return raw_hash
        base = self.db.execute(
            """SELECT b.hash, b.depth FROM captures c JOIN raw_blobs b ON b.hash = c.raw_hash
               WHERE c.article_id = ? ORDER BY c.id DESC LIMIT 1""",
            [article_id],
        ).fetchone()
        if base is not None and base[1] >= codec.MAX_DEPTH:  # a full chain: branch off halfway down
            base = self.chain.ancestor(base[0], codec.BRANCH_DEPTH)
        if base is not None:
            base_hash, depth = base[0], base[1] + 1
            data = codec.pack(raw, self.get(base_hash), COMPRESSION_LEVEL)
        else:
            base_hash, depth = None, 0
            data = codec.pack(raw, None, COMPRESSION_LEVEL)
        against_text = self.against_text(raw, text_id)
        if against_text is not None and len(against_text) < len(data):
            base_hash, depth, data = None, 0, against_text
        else:
            text_id = None
        self.db.execute(
            """INSERT INTO raw_blobs (hash, size, compression, data, base_hash, depth, text_id)
               VALUES (?, ?, 'zstd', ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            [raw_hash, len(raw), data, base_hash, depth, text_id],
        )
        self.chain.remember(raw_hash, raw)
        return raw_hash

    def against_text(self, raw: bytes, text_id: int | None) -> bytes | None:
        """The raw bytes compressed against text row `text_id`, if they are mostly that text."""
        if text_id is None:
            return None
        text = self.texts.chain.get(text_id).encode()
        if len(raw) > MOSTLY_TEXT * len(text):
            return None
        return codec.pack(raw, text, COMPRESSION_LEVEL)

    def get(self, raw_hash: str) -> bytes:
        """Raw bytes by hash; NotInArchive where there are none."""
        return self.chain.get(raw_hash)

    def forget(self) -> None:
        """Drop every decoded capture: after a rollback the cache may hold rows that are gone."""
        self.chain.forget()

    def _text_dictionary(self, raw_hash: str) -> bytes | None:
        """What a keyframe was compressed against: its text, or nothing."""
        (text_id,) = self.db.execute("SELECT text_id FROM raw_blobs WHERE hash = ?", [raw_hash]).fetchone()
        return None if text_id is None else self.texts.chain.get(text_id).encode()


def compress_against_texts(db: sqlite_utils.Database) -> None:
    """The migration that gives raw_blobs its text_id: every stored capture that is mostly its text is
    compressed again against that text where that is smaller. Its bytes stay the same (checked against
    the hash before the row is rewritten), so the captures compressed against it still decode."""
    db.execute("ALTER TABLE raw_blobs ADD COLUMN text_id INTEGER REFERENCES texts (id)")
    raws = RawStore(db, TextStore(db))
    candidates = db.execute(
        """SELECT c.raw_hash, min(t.id) FROM captures c
           JOIN raw_blobs b ON b.hash = c.raw_hash
           JOIN texts t ON t.article_id = c.article_id AND t.hash = c.content_hash
           WHERE b.size <= ? * t.size GROUP BY c.raw_hash ORDER BY min(c.id)""",
        [MOSTLY_TEXT],
    ).fetchall()
    for raw_hash, text_id in candidates:
        raw = raws.get(raw_hash)
        data = raws.against_text(raw, text_id)
        stored = db.execute("SELECT length(data) FROM raw_blobs WHERE hash = ?", [raw_hash]).fetchone()[0]
        if data is None or len(data) >= stored:
            continue
        if digest(codec.unpack(data, raws.texts.chain.get(text_id).encode())) != raw_hash:
            continue  # evidence: a row is rewritten only with an encoding that gives back its bytes
        db.execute(
            "UPDATE raw_blobs SET data = ?, base_hash = NULL, depth = 0, text_id = ? WHERE hash = ?",
            [data, text_id, raw_hash],
        )
