"""The SQL of web capture: tracked article URLs, followed feeds, and the claims that keep poll runs apart.

Both tables (schema.py, migration `_capture`) carry the HTTP validators of their last answer, when they
were last checked, when they are next due, and a claim: `claimed_by` (a poll run's id) and
`claim_expires`. `allow_private` (migration `_private_hosts`) says the user allowed private addresses for
the row's host. A run claims due rows in a short write transaction before it fetches them and
clears the claim when it records the result, so two overlapping runs never fetch the same row; the claim
of a run that died expires and the row is due again for the next run. Each recorded check gets the next
`check_seq`: a run skips rows whose number is past the ticket it took when it started.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils

# The two claimable tables; names are constants, never user input.
URLS, FEEDS = "tracked_urls", "feeds"


class Watchlist:
    """What `versioner poll` checks, over the database a Store opened (`Store(path).db`)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    # --- tracked article URLs ------------------------------------------------------------------

    def track(
        self,
        url: str,
        added_at: str,
        feed_id: int | None = None,
        published: str | None = None,
        allow_private: bool = False,
    ) -> bool:
        """Track a canonical URL, due at once; False when it was tracked already (allow_private then
        still grants the permission, so tracking again with --allow-private is how to give it)."""
        params = {
            "url": url,
            "feed": feed_id,
            "added": added_at,
            "published": published,
            "private": allow_private,
        }
        cursor = self.db.execute(
            """INSERT INTO tracked_urls
                   (url, article_id, feed_id, added_at, published, next_check, allow_private)
               VALUES
                   (:url, (SELECT id FROM articles WHERE url = :url), :feed, :added, :published, :added,
                    :private)
               ON CONFLICT DO NOTHING""",
            params,
        )
        if cursor.rowcount == 1:
            return True
        if allow_private:
            self.db.execute("UPDATE tracked_urls SET allow_private = 1 WHERE url = :url", params)
        return False

    def untrack(self, url: str) -> int:
        """Stop tracking a URL, or every tracked URL that led to the article with that URL."""
        return self.db.execute(
            """DELETE FROM tracked_urls
               WHERE url = :url OR article_id = (SELECT id FROM articles WHERE url = :url)""",
            {"url": url},
        ).rowcount

    def tracked(self) -> list[dict]:
        return list(self.db.query("SELECT * FROM tracked_urls ORDER BY id"))

    def next_checks(self, article_ids: list[int]) -> dict[int, str | None]:
        """The next scheduled check of each tracked article among these (None: schedule over)."""
        if not article_ids:
            return {}
        marks = ", ".join("?" for _ in article_ids)
        rows = self.db.execute(
            f"""SELECT article_id, min(next_check) FROM tracked_urls
                WHERE article_id IN ({marks}) GROUP BY article_id""",
            article_ids,
        ).fetchall()
        return dict(rows)

    def anchor_inputs(self, tracked_id: int, article_id: int | None) -> tuple[str, str | None] | None:
        """(first seen, published) of a tracked URL and its article: the times its schedule counts from.

        None when the URL is no longer tracked (untracked meanwhile, or dropped as a second link).
        """
        row = self.db.execute(
            """SELECT CASE WHEN a.first_seen < t.added_at THEN a.first_seen ELSE t.added_at END,
                      coalesce(t.published, (SELECT published FROM versions WHERE article_id = :article
                                              ORDER BY n DESC LIMIT 1))
               FROM tracked_urls t LEFT JOIN articles a ON a.id = :article WHERE t.id = :id""",
            {"id": tracked_id, "article": article_id},
        ).fetchone()
        return (row[0], row[1]) if row else None

    def record_url_check(self, tracked_id: int, run: str, fields: dict) -> None:
        """Store the outcome of a check and release the claim; a claim lost to another run changes nothing.

        fields: last_checked, last_status, last_error, etag, last_modified, next_check, and article_id
        once a capture was stored. Other tracked URLs that turned out to lead to the same article are
        dropped: the article is checked once, through the URL tracked first.
        """
        self._record(URLS, tracked_id, run, fields)
        if fields.get("article_id"):
            self.db.execute(
                """DELETE FROM tracked_urls WHERE article_id = :article AND id <> (
                       SELECT min(id) FROM tracked_urls WHERE article_id = :article)""",
                {"article": fields["article_id"]},
            )

    # --- feeds ---------------------------------------------------------------------------------

    def track_feed_items(self, items: list[tuple[str, str | None, bool]], added_at: str, feed_id: int) -> int:
        """Track a feed's (url, published, allow_private) items in one transaction; how many were new."""
        with self._immediate():
            return sum(
                self.track(url, added_at, feed_id, published, allow_private)
                for url, published, allow_private in items
            )

    def add_feed(self, url: str, added_at: str, allow_private: bool = False) -> bool:
        """Follow a feed, read at the next poll; False when it was followed already (allow_private
        then still grants the permission)."""
        if self.db.execute(
            "INSERT INTO feeds (url, added_at, next_check, allow_private) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [url, added_at, added_at, allow_private],
        ).rowcount:
            return True
        if allow_private:
            self.db.execute("UPDATE feeds SET allow_private = 1 WHERE url = ?", [url])
        return False

    def remove_feed(self, url: str) -> int:
        """Stop following a feed; the articles it brought stay tracked."""
        return self.db.execute("DELETE FROM feeds WHERE url = ?", [url]).rowcount

    def feeds(self) -> list[dict]:
        return list(
            self.db.query(
                """SELECT f.id, f.url, f.title, f.added_at, f.last_checked, f.last_status, f.last_error,
                      f.next_check,
                      (SELECT count(*) FROM tracked_urls t WHERE t.feed_id = f.id) AS items
               FROM feeds f ORDER BY f.url"""
            )
        )

    def private_urls(self, hand_added: bool = False) -> list[str]:
        """The URLs and feeds whose hosts may resolve to private addresses: those allowed it, and with
        hand_added every URL and feed added by hand (a tracked URL no feed brought)."""
        rows = self.db.execute(
            """SELECT url FROM tracked_urls WHERE allow_private <> 0 OR (:hand <> 0 AND feed_id IS NULL)
               UNION SELECT url FROM feeds WHERE allow_private <> 0 OR :hand <> 0""",
            {"hand": hand_added},
        ).fetchall()
        return [row[0] for row in rows]

    def record_feed_check(self, feed_id: int, run: str, fields: dict) -> None:
        """fields: last_checked, last_status, last_error, etag, last_modified, next_check, title."""
        self._record(FEEDS, feed_id, run, fields)

    # --- claims --------------------------------------------------------------------------------

    def ticket(self, table: str) -> int:
        """The number of the last check recorded: a run starting now skips rows checked after it."""
        return self.db.execute(f"SELECT coalesce(max(check_seq), 0) FROM {table}").fetchone()[0]

    def count_due(self, table: str, ticket: int, cutoff: str, force: bool) -> int:
        """Rows a run holding `ticket` will check (claimed by others or not)."""
        return self.db.execute(
            f"SELECT count(*) FROM {table} WHERE {_DUE}", {"ticket": ticket, "cutoff": cutoff, "force": force}
        ).fetchone()[0]

    def claim(
        self, table: str, run: str, ticket: int, cutoff: str, at: str, expires: str, limit: int, force: bool
    ) -> list[dict]:
        """Mark up to `limit` due, unclaimed rows as this run's until `expires`, and return them.

        Due: next check at or before `cutoff` (every row with force), and not checked since the run
        started (a check_seq above its ticket), so a run checks each row at most once, and never one
        that an overlapping run checked meanwhile. A claim past its expiry is free again.
        """
        params = {
            "run": run,
            "ticket": ticket,
            "cutoff": cutoff,
            "at": at,
            "expires": expires,
            "limit": limit,
            "force": force,
        }
        # PostgreSQL: overlapping runs pass over the rows another is claiming (SQLite has one writer)
        locking = " FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgresql" else ""
        with self._immediate():
            ids = [
                row[0]
                for row in self.db.execute(
                    f"""SELECT id FROM {table}
                    WHERE {_DUE} AND (claimed_by IS NULL OR claim_expires <= :at)
                    ORDER BY next_check IS NULL, next_check, id LIMIT :limit{locking}""",
                    params,
                ).fetchall()
            ]
            if not ids:
                return []
            marks = ", ".join("?" for _ in ids)
            self.db.execute(
                f"UPDATE {table} SET claimed_by = ?, claim_expires = ? WHERE id IN ({marks})",
                [run, expires, *ids],
            )
            return list(self.db.query(f"SELECT * FROM {table} WHERE id IN ({marks}) ORDER BY id", ids))

    def renew(self, table: str, run: str, expires: str) -> None:
        """Push back the expiry of every claim a run still holds in a table."""
        self.db.execute(f"UPDATE {table} SET claim_expires = ? WHERE claimed_by = ?", [expires, run])

    def claimants(self, prefix: str) -> list[str]:
        """The runs whose id starts with prefix that hold claims (a host's runs: `host:`)."""
        found: set[str] = set()
        for table in (URLS, FEEDS):
            rows = self.db.execute(
                f"SELECT DISTINCT claimed_by FROM {table} WHERE substr(claimed_by, 1, ?) = ?",
                [len(prefix), prefix],
            ).fetchall()
            found.update(row[0] for row in rows)
        return sorted(found)

    def release(self, run: str) -> None:
        """Give back what a run claimed and did not record (it was interrupted)."""
        for table in (URLS, FEEDS):
            self.db.execute(
                f"UPDATE {table} SET claimed_by = NULL, claim_expires = NULL WHERE claimed_by = ?", [run]
            )

    def _record(self, table: str, row_id: int, run: str, fields: dict) -> None:
        assignments = ", ".join(f"{name} = :{name}" for name in fields)
        self.db.execute(
            f"""UPDATE {table} SET {assignments}, claimed_by = NULL, claim_expires = NULL,
                       check_seq = (SELECT coalesce(max(check_seq), 0) + 1 FROM {table})
                WHERE id = :row_id AND claimed_by = :run""",
            {**fields, "row_id": row_id, "run": run},
        )

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        self.db.execute(self.db.begin_write)
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise


_DUE = "(:force <> 0 OR next_check <= :cutoff) AND (check_seq IS NULL OR check_seq <= :ticket)"
