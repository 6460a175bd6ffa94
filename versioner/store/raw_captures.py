"""Raw captures, each distinct byte string stored once and compressed against the article's previous capture.

Consecutive copies of a page differ in a few bytes (tracking ids, ads), so each costs about what changed.
Chains of bases are bounded as for texts (codec.MAX_DEPTH, branching off halfway down when full), and
decoded captures are kept in a byte-budgeted cache: each article's last capture is its next one's base.
"""

import hashlib
import sqlite3

import sqlite_utils

from versioner.store import codec
from versioner.store.chains import Chain

COMPRESSION_LEVEL = 3  # raw pages are large and rarely read: the fast level
CACHE_BYTES = 32_000_000


class RawStore:
    """The `raw_blobs` table of a versioner database."""

    def __init__(self, db: sqlite_utils.Database | sqlite3.Connection):
        self.db = db
        self.chain = Chain(
            db, "raw_blobs", "hash", "base_hash", codec.unpack, CACHE_BYTES, what="raw capture"
        )

    def put(self, raw: bytes, article_id: int) -> str:
        """Store raw bytes once, compressed against the article's previous capture; returns their hash."""
        digest = hashlib.sha256(raw).hexdigest()
        if self.db.execute("SELECT 1 FROM raw_blobs WHERE hash = ?", [digest]).fetchone() is not None:
            return digest
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
        self.db.execute(
            "INSERT INTO raw_blobs (hash, size, compression, data, base_hash, depth) VALUES (?, ?, 'zstd', ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [digest, len(raw), data, base_hash, depth],
        )
        self.chain.remember(digest, raw)
        return digest

    def get(self, raw_hash: str) -> bytes:
        """Raw bytes by hash; NotInArchive where there are none."""
        return self.chain.get(raw_hash)

    def forget(self) -> None:
        """Drop every decoded capture: after a rollback the cache may hold rows that are gone."""
        self.chain.forget()
