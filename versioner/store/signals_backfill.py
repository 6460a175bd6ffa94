"""The watchdog signals of an archive stored before they existed, worked out from its stored texts.

Run once by the migration that adds the columns (schema._watchdog_signals). Each capture's notices,
substance and live entries come from its text (the paragraphs are the text's blank-line-separated
blocks); each version's notice and stealth flag from its first capture and the last capture of the
version before, as the versioning rule pairs them. A correction declared only in a page's JSON-LD or
microdata is not in the text: `versioner reextract` reads it from the raw captures.
"""

from types import SimpleNamespace

import sqlite_utils

from versioner.errors import NotInArchive
from versioner.store.texts import TextStore

SIGNAL_COLUMNS = "notices, substance_hash, live_entries, updated"
IN_RULE_ORDER = "fetched_at, content_hash, id"


def backfill(db: sqlite_utils.Database) -> None:
    from versioner.extract.normalize import Article  # pure code, imported only for this one pass
    from versioner.signals import capture_columns, version_fields

    texts = TextStore(db)
    pairs = db.execute(
        "SELECT DISTINCT article_id, content_hash FROM captures WHERE status != 'rejected' AND content_hash IS NOT NULL"
    ).fetchall()
    for article_id, content_hash in pairs:
        try:
            text = texts.get(article_id, content_hash)
        except NotInArchive:
            continue
        paragraphs = tuple(block for block in text.split("\n\n") if block)
        columns = capture_columns(Article("", "", None, None, paragraphs))
        db.execute(
            "UPDATE captures SET notices = :notices, substance_hash = :substance_hash, live_entries = :live_entries "
            "WHERE article_id = :article AND content_hash = :hash AND status != 'rejected'",
            {**columns, "article": article_id, "hash": content_hash},
        )
    previous_last = None
    previous_article = None
    for version_id, article_id in db.execute(
        "SELECT id, article_id FROM versions ORDER BY article_id, n"
    ).fetchall():
        first = _capture(db, version_id, IN_RULE_ORDER)
        if first is None:
            continue
        before = previous_last if previous_article == article_id else None
        db.execute(
            "UPDATE versions SET notice_kind = :notice_kind, notice_text = :notice_text, stealth = :stealth "
            "WHERE id = :id",
            {**version_fields(before, first), "id": version_id},
        )
        previous_last = _capture(db, version_id, " DESC, ".join(IN_RULE_ORDER.split(", ")) + " DESC")
        previous_article = article_id


def _capture(db: sqlite_utils.Database, version_id: int, order: str) -> SimpleNamespace | None:
    row = db.execute(
        f"SELECT {SIGNAL_COLUMNS} FROM captures WHERE version_id = ? ORDER BY {order} LIMIT 1", [version_id]
    ).fetchone()
    return SimpleNamespace(**dict(zip(SIGNAL_COLUMNS.split(", "), row, strict=True))) if row else None
