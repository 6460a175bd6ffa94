"""Captures as an export reads them: every capture with its article's URL and the version it landed on.

Rows come one at a time from a cursor, so an export of a large archive holds one capture in memory
(the raw bytes are read by hash afterwards, through raw_captures).
"""

import sqlite3
from collections.abc import Iterator, Sequence

import sqlite_utils

EXPORT_COLUMNS = (
    "c.id, c.article_id, a.url, a.site, c.fetched_at, c.source, c.raw_hash, c.kind_hint, c.http_status, "
    "c.http_headers, c.status, c.reason, v.n AS version, v.first_seen AS version_first_seen"
)


class CaptureExport:
    """Read-only queries over `captures` for exports (versioner/archive/warc_export.py)."""

    def __init__(self, db: sqlite_utils.Database | sqlite3.Connection):
        self.db = db

    def rows(
        self, article_ids: Sequence[int] = (), site: str | None = None, since: str | None = None
    ) -> Iterator[dict]:
        """Captures of the given articles (all when none), of one site, fetched at or after `since`
        (ISO 8601 UTC), article by article and oldest first."""
        where, params = [], []
        if article_ids:
            where.append(f"c.article_id IN ({', '.join('?' for _ in article_ids)})")
            params.extend(article_ids)
        if site:
            where.append("a.site = ?")
            params.append(site)
        if since:
            where.append("c.fetched_at >= ?")
            params.append(since)
        cursor = self.db.execute(
            f"""SELECT {EXPORT_COLUMNS}
                FROM captures c JOIN articles a ON a.id = c.article_id
                LEFT JOIN versions v ON v.id = c.version_id
                {"WHERE " + " AND ".join(where) if where else ""}
                ORDER BY c.article_id, c.fetched_at, c.id""",
            params,
        )
        names = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))
