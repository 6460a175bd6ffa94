"""Raw captures, each distinct byte string stored once and compressed against the article's previous capture.

Consecutive copies of a page differ in a few bytes (tracking ids, ads), so each costs about what changed.
Chains of bases are bounded as for texts (textcodec.MAX_DEPTH, branching off halfway down when full), and
decoded captures are kept in a byte-budgeted cache: each article's last capture is its next one's base.
"""

import hashlib
import sqlite3

import sqlite_utils

from versioner.errors import NotInArchive
from versioner.store import codec as textcodec
from versioner.store.schema import chain_ancestor

COMPRESSION_LEVEL = 3  # raw pages are large and rarely read: the fast level
CACHE_BYTES = 32_000_000


class RawStore:
    """The `raw_blobs` table of a versioner database."""

    def __init__(self, db: sqlite_utils.Database | sqlite3.Connection):
        self.db = db
        self._raws: dict[str, bytes] = {}  # decoded raw captures by hash, oldest first
        self._cached_bytes = 0

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
        if base is not None and base[1] >= textcodec.MAX_DEPTH:  # a full chain: branch off halfway down
            base = chain_ancestor(self.db, "raw_blobs", base[0], textcodec.BRANCH_DEPTH)
        if base is not None:
            base_hash, depth = base[0], base[1] + 1
            data = textcodec.pack(raw, self.get(base_hash), COMPRESSION_LEVEL)
        else:
            base_hash, depth = None, 0
            data = textcodec.pack(raw, None, COMPRESSION_LEVEL)
        self.db.execute(
            "INSERT INTO raw_blobs (hash, size, compression, data, base_hash, depth) VALUES (?, ?, 'zstd', ?, ?, ?)",
            [digest, len(raw), data, base_hash, depth],
        )
        self._remember(digest, raw)
        return digest

    def get(self, raw_hash: str) -> bytes:
        """Raw bytes by hash: the chain of bases decoded from its start (or a bytes object in memory)."""
        chain = []
        current = raw_hash
        while current is not None and current not in self._raws:
            row = self.db.execute(
                "SELECT base_hash, data FROM raw_blobs WHERE hash = ?", [current]
            ).fetchone()
            if row is None:
                raise NotInArchive(f"no raw capture {current}")
            chain.append((current, row[1]))
            current = row[0]
        raw = self._raws[current] if current is not None else None
        for digest, data in reversed(chain):
            raw = textcodec.unpack(data, raw)
            self._remember(digest, raw)
        return raw

    def forget(self) -> None:
        """Drop every decoded capture: after a rollback the cache may hold rows that are gone."""
        self._raws.clear()
        self._cached_bytes = 0

    def _remember(self, digest: str, raw: bytes) -> None:
        self._raws[digest] = raw
        self._cached_bytes += len(raw)
        while self._cached_bytes > CACHE_BYTES and len(self._raws) > 1:
            self._cached_bytes -= len(self._raws.pop(next(iter(self._raws))))
