"""The `visible_lines` table: each capture's fingerprint of what its page showed (versioner/extract/visible.py).

The extraction-drift guard (versioner/drift.py) asks whether a line that came into or went out of the
text was on the page anyway; the versions are rebuilt from the captures at every insert, so the answer
must be at hand without parsing raw pages again. A capture without a row (stored before the table
existed, or a plain text) is never judged as drift; `versioner reextract` fills the rows in.
"""

import sqlite_utils

SCHEMA = """
CREATE TABLE visible_lines (
    capture_id INTEGER PRIMARY KEY REFERENCES captures (id),
    hashes BLOB NOT NULL
)"""


class VisibleLines:
    """The `visible_lines` table of a versioner database."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def put(self, capture_id: int, hashes: bytes) -> None:
        """Keep a capture's fingerprint (replacing an older reading); none is kept for an empty one."""
        if hashes:
            self.db.execute(
                "INSERT INTO visible_lines (capture_id, hashes) VALUES (?, ?) "
                "ON CONFLICT (capture_id) DO UPDATE SET hashes = excluded.hashes",
                [capture_id, hashes],
            )
        else:
            self.db.execute("DELETE FROM visible_lines WHERE capture_id = ?", [capture_id])

    def get(self, capture_id: int) -> bytes:
        """A capture's fingerprint; empty where none is stored."""
        row = self.db.execute(
            "SELECT hashes FROM visible_lines WHERE capture_id = ?", [capture_id]
        ).fetchone()
        return bytes(row[0]) if row else b""


def create_table(db: sqlite_utils.Database) -> None:
    db.execute(SCHEMA)
