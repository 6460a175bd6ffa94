"""Outlet statistics, kept up to date at ingest so no request scans the archive.

`article_stats` holds one row per listed article: what its versions say (changed or not, how long
until the first change, headline changes, stealth edits, corrections, when its edits came after
publication). `site_totals` holds their sums per site, moved by the difference whenever an article's
row changes (Store.refresh_article calls `refresh`). The view `site_stats` adds the shares and the
median time to the first change, read from an index, for the web, the API and Datasette.
"""

import sqlite_utils

# When a change came, counted from the publication time the page declares (else the first sighting).
BUCKETS = (
    ("edits_within_1h", 0, 3600),
    ("edits_1h_to_6h", 3600, 6 * 3600),
    ("edits_6h_to_24h", 6 * 3600, 86400),
    ("edits_1d_to_3d", 86400, 3 * 86400),
    ("edits_3d_to_7d", 3 * 86400, 7 * 86400),
    ("edits_after_7d", 7 * 86400, None),
)
COUNTS = (
    "articles",
    "changed",
    "edits",
    "headline_changes",
    "stealth_edits",
    "corrections",
    "update_notices",
    *(name for name, _, _ in BUCKETS),
)


def _bucket(low: int, high: int | None) -> str:
    upper = f" AND d.delay < {high}" if high else ""
    return _count(f"d.n > 1 AND d.delay >= {low}{upper}")


def _count(condition: str) -> str:
    """How many rows meet the condition, in SQL both engines read alike (PostgreSQL sums no booleans)."""
    return f"coalesce(sum(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


# Seconds from a version's origin (publication, else first sighting) to its first sighting, never negative.
DELAY = {
    "sqlite": "max(0, CAST(round((julianday(v.first_seen) - julianday(origin.origin)) * 86400) AS INTEGER))",
    "postgresql": "greatest(0, round(extract(epoch FROM "
    "v.first_seen::timestamptz - origin.origin::timestamptz))::bigint)",
}


# One row per listed article; {only} narrows it to one article (:id) or leaves every article, {delay}
# is DELAY in the database's words.
ARTICLE_ROWS = f"""
WITH v AS (
    SELECT article_id, n, title, first_seen, published, stealth, notice_kind,
           lag(title) OVER (PARTITION BY article_id ORDER BY n) AS previous_title
    FROM versions WHERE {{only}}
), origin AS (
    SELECT article_id, coalesce(published, first_seen) AS origin FROM v WHERE n = 1
), d AS (
    SELECT v.*, {{delay}} AS delay
    FROM v JOIN origin USING (article_id)
)
SELECT a.id AS article_id, a.site,
    1 AS articles,
    CASE WHEN max(d.n) > 1 THEN 1 ELSE 0 END AS changed,
    max(d.n) - 1 AS edits,
    min(CASE WHEN d.n = 2 THEN d.delay END) AS first_change_seconds,
    {_count("d.n > 1 AND d.title != d.previous_title")} AS headline_changes,
    {_count("d.n > 1 AND d.stealth <> 0")} AS stealth_edits,
    {_count("d.notice_kind = 'correction'")} AS corrections,
    {_count("d.notice_kind IN ('update', 'modified')")} AS update_notices,
    {", ".join(f"{_bucket(low, high)} AS {name}" for name, low, high in BUCKETS)}
FROM articles a JOIN d ON d.article_id = a.id
WHERE a.last_changed IS NOT NULL
GROUP BY a.id
"""

SCHEMA = f"""
CREATE TABLE article_stats (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id),
    site TEXT NOT NULL,
    first_change_seconds INTEGER,
    {", ".join(f"{name} INTEGER NOT NULL" for name in COUNTS)}
);
CREATE INDEX article_stats_by_site_first_change ON article_stats (site, first_change_seconds)
    WHERE first_change_seconds IS NOT NULL;
CREATE TABLE site_totals (
    site TEXT PRIMARY KEY,
    {", ".join(f"{name} INTEGER NOT NULL DEFAULT 0" for name in COUNTS)}
);
CREATE VIEW site_stats AS
SELECT t.site, t.articles, t.changed,
    round(1.0 * t.changed / t.articles, 4) AS share_changed,
    (SELECT m.first_change_seconds FROM (
        SELECT s.first_change_seconds, row_number() OVER (ORDER BY s.first_change_seconds) AS place
        FROM article_stats s WHERE s.site = t.site AND s.first_change_seconds IS NOT NULL
     ) m WHERE m.place = (t.changed + 1) / 2) AS median_first_change_seconds,
    t.edits, t.headline_changes, t.stealth_edits,
    round(1.0 * t.stealth_edits / CASE WHEN t.edits > 1 THEN t.edits ELSE 1 END, 4) AS share_stealth,
    t.corrections, t.update_notices,
    {", ".join(f"t.{name}" for name, _, _ in BUCKETS)}
FROM site_totals t WHERE t.articles > 0
"""
STAT_COLUMNS = ("first_change_seconds", *COUNTS)
SHOWN = ", ".join(  # the view's columns but its median, which _with_median reads faster
    ("site", "articles", "changed", "share_changed", "edits", "headline_changes", "stealth_edits")
    + ("share_stealth", "corrections", "update_notices", *(name for name, _, _ in BUCKETS))
)


def create_tables(db: sqlite_utils.Database) -> None:
    """The tables and view, filled from the versions stored so far in three statements."""
    for statement in SCHEMA.split(";\n"):
        db.execute(statement)
    _fill(db)


def _fill(db: sqlite_utils.Database) -> None:
    """The (empty) tables filled from the versions: every listed article's row, then the sums per site."""
    columns = ", ".join(("article_id", "site", *STAT_COLUMNS))
    every = ARTICLE_ROWS.format(only="1 = 1", delay=DELAY[db.dialect])
    db.execute(f"INSERT INTO article_stats ({columns}) SELECT {columns} FROM ({every}) AS article_rows")
    sums = ", ".join(f"sum({name})" for name in COUNTS)
    db.execute(
        f"INSERT INTO site_totals (site, {', '.join(COUNTS)}) SELECT site, {sums} FROM article_stats GROUP BY site"
    )


class SiteStats:
    """The statistics of one database (Store.site_stats)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def rebuild(self) -> None:
        """Every article's row and every site's totals computed again from the versions (after a copy)."""
        self.db.execute("DELETE FROM article_stats")
        self.db.execute("DELETE FROM site_totals")
        _fill(self.db)

    def refresh(self, article_id: int) -> None:
        """Bring one article's row, and its site's totals, in line with its versions."""
        old = self._row("SELECT * FROM article_stats WHERE article_id = :id", article_id)
        new = self._row(
            ARTICLE_ROWS.format(only="article_id = :id", delay=DELAY[self.db.dialect]), article_id
        )
        if old == new:
            return
        for row, sign in ((old, -1), (new, 1)):
            if row:
                self._add(row, sign)
        if new:
            names = ", ".join(new)
            marks = ", ".join(f":{name}" for name in new)
            updates = ", ".join(f"{name} = excluded.{name}" for name in new if name != "article_id")
            self.db.execute(
                f"INSERT INTO article_stats ({names}) VALUES ({marks}) "
                f"ON CONFLICT (article_id) DO UPDATE SET {updates}",
                new,
            )
        else:
            self.db.execute("DELETE FROM article_stats WHERE article_id = ?", [article_id])

    def _row(self, sql: str, article_id: int) -> dict | None:
        rows = list(self.db.query(sql, {"id": article_id}))
        return {name: rows[0][name] for name in ("article_id", "site", *STAT_COLUMNS)} if rows else None

    def _add(self, row: dict, sign: int) -> None:
        self.db.execute("INSERT INTO site_totals (site) VALUES (?) ON CONFLICT DO NOTHING", [row["site"]])
        assignments = ", ".join(f"{name} = {name} + :{name}" for name in COUNTS)
        self.db.execute(
            f"UPDATE site_totals SET {assignments} WHERE site = :site",
            {"site": row["site"], **{name: sign * row[name] for name in COUNTS}},
        )

    def sites(self) -> list[dict]:
        """Every site's statistics, most articles first."""
        rows = self.db.query(f"SELECT {SHOWN} FROM site_stats ORDER BY articles DESC, site")
        return [self._with_median(row) for row in rows]

    def site(self, site: str) -> dict | None:
        rows = list(self.db.query(f"SELECT {SHOWN} FROM site_stats WHERE site = ?", [site]))
        return self._with_median(rows[0]) if rows else None

    def _with_median(self, row: dict) -> dict:
        """The view's median, read straight from the index: one step per article, half of the site's."""
        found = self.db.execute(
            """SELECT first_change_seconds FROM article_stats
            WHERE site = ? AND first_change_seconds IS NOT NULL
            ORDER BY first_change_seconds LIMIT 1 OFFSET ?""",
            [row["site"], max(row["changed"] - 1, 0) // 2],
        ).fetchone()
        return {**row, "median_first_change_seconds": found[0] if found else None}
