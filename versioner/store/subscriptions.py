"""The SQL of notifications: who wants to hear of which changes, and the messages waiting to go out.

`subscriptions` holds a target (a webhook URL or an Apprise URL, secrets and all: the database is the
owner's) and its filters; `notifications` is the outbox. ingest() queues a row per matching subscription
inside the capture's own transaction (versioner/notify/outbox.py), so a crash can neither lose one nor
invent one, and UNIQUE (subscription_id, dedup_key) makes a rebuild of the versions queue nothing twice.

A sender claims due rows in a short write transaction (`claimed_by`, `claim_expires`), sends,
and records each result in its own commit: two overlapping senders never send the same row, a row marked
sent is never sent again, and the claim of a sender that died expires so the row is due again.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils

SCHEMA = """
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    secret TEXT,
    article_ids TEXT NOT NULL DEFAULT '[]',
    sites TEXT NOT NULL DEFAULT '[]',
    words TEXT NOT NULL DEFAULT '[]',
    headline_only INTEGER NOT NULL DEFAULT 0,
    min_words INTEGER NOT NULL DEFAULT 0,
    digest TEXT CHECK (digest IN ('hourly', 'daily')),
    backfill INTEGER NOT NULL DEFAULT 0,
    allow_private INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    dedup_key TEXT NOT NULL,
    message TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt TEXT,
    last_error TEXT,
    sent_at TEXT,
    claimed_by TEXT,
    claim_expires TEXT,
    UNIQUE (subscription_id, dedup_key)
);
CREATE INDEX notifications_pending_by_due ON notifications (due_at) WHERE sent_at IS NULL;
CREATE INDEX notifications_by_article ON notifications (article_id)
"""

LIST_COLUMNS = ("article_ids", "sites", "words")


def create_tables(db: sqlite_utils.Database) -> None:
    """The migration's SQL (schema.py, `_notifications`)."""
    for statement in SCHEMA.split(";\n"):
        db.execute(statement)


class Subscriptions:
    """Subscriptions and their outbox, over the database a Store opened."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    # --- subscriptions --------------------------------------------------------------------------

    def add(self, fields: dict) -> int:
        """A new subscription; list-valued filters are kept as JSON arrays."""
        row = {k: json.dumps(v) if k in LIST_COLUMNS else v for k, v in fields.items()}
        names = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        with self._immediate():
            return self.db.execute(
                f"INSERT INTO subscriptions ({names}) VALUES ({marks}) RETURNING id", row
            ).fetchone()[0]

    def all(self) -> list[dict]:
        """Every subscription with its outbox counts: pending, sent, and the last failure."""
        rows = self.db.query(
            """SELECT s.*,
                   (SELECT count(*) FROM notifications n WHERE n.subscription_id = s.id AND n.sent_at IS NULL)
                       AS pending,
                   (SELECT count(*) FROM notifications n WHERE n.subscription_id = s.id
                       AND n.sent_at IS NOT NULL) AS sent,
                   (SELECT max(attempts) FROM notifications n WHERE n.subscription_id = s.id
                       AND n.sent_at IS NULL) AS attempts,
                   (SELECT last_error FROM notifications n WHERE n.subscription_id = s.id
                       AND n.sent_at IS NULL AND n.last_error IS NOT NULL
                       ORDER BY n.last_attempt DESC LIMIT 1) AS last_error
               FROM subscriptions s ORDER BY s.id"""
        )
        return [_decoded(row) for row in rows]

    def get(self, subscription_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM subscriptions WHERE id = ?", [subscription_id]))
        return _decoded(rows[0]) if rows else None

    def matchable(self) -> list[dict]:
        """Every subscription, as ingest matches a new version against them."""
        return [_decoded(row) for row in self.db.query("SELECT * FROM subscriptions ORDER BY id")]

    def remove(self, subscription_id: int) -> bool:
        """Remove a subscription and its unsent and sent messages; False when there was none."""
        with self._immediate():
            self.db.execute("DELETE FROM notifications WHERE subscription_id = ?", [subscription_id])
            cursor = self.db.execute("DELETE FROM subscriptions WHERE id = ?", [subscription_id])
        return cursor.rowcount == 1

    # --- the outbox -----------------------------------------------------------------------------

    def queue(
        self, subscription_id: int, article_id: int, dedup_key: str, message: dict, at: str, due_at: str
    ) -> bool:
        """Queue one message inside the caller's transaction; False when it was queued before."""
        cursor = self.db.execute(
            """INSERT INTO notifications
                   (subscription_id, article_id, dedup_key, message, queued_at, due_at)
               VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            [subscription_id, article_id, dedup_key, json.dumps(message, ensure_ascii=False), at, due_at],
        )
        return cursor.rowcount == 1

    def claim(
        self,
        sender: str,
        at: str,
        expires: str,
        force: bool,
        only: int | None = None,
        skip: list[int] | None = None,
        limit: int = 100,
    ) -> list[dict]:
        """Take up to `limit` unsent messages that are due (with force: failed ones too, whatever their
        backoff), unclaimed or whose claim expired, and not in `skip` (tried in this run already); each
        comes with its subscription's target and settings."""
        where = "n.sent_at IS NULL AND (n.claim_expires IS NULL OR n.claim_expires < :at)"
        where += " AND (n.due_at <= :at OR (:force <> 0 AND n.attempts > 0))"
        if only is not None:
            where += " AND n.subscription_id = :only"
        if skip:
            where += f" AND n.id NOT IN ({', '.join(f':skip{number}' for number in range(len(skip)))})"
        # PostgreSQL: overlapping senders pass over each other's rows instead of claiming them twice
        locking = " FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgresql" else ""
        params = {
            "sender": sender,
            "at": at,
            "expires": expires,
            "force": force,
            "only": only,
            **{f"skip{number}": skipped for number, skipped in enumerate(skip or [])},
            "limit": limit,
        }
        with self._immediate():
            self.db.execute(
                f"""UPDATE notifications SET claimed_by = :sender, claim_expires = :expires
                    WHERE id IN (SELECT n.id FROM notifications n WHERE {where} ORDER BY n.id LIMIT :limit{locking})""",
                params,
            )
            rows = self.db.query(
                """SELECT n.id, n.subscription_id, n.article_id, n.message, n.attempts, s.target, s.secret,
                          s.digest, s.allow_private
                   FROM notifications n JOIN subscriptions s ON s.id = n.subscription_id
                   WHERE n.claimed_by = :sender AND n.sent_at IS NULL ORDER BY n.id""",
                params,
            )
            return [{**row, "message": json.loads(row["message"])} for row in rows]

    def has_due(self, at: str) -> bool:
        """Whether any unsent message is due (read only: a run with nothing to send writes nothing)."""
        row = self.db.execute(
            "SELECT 1 FROM notifications WHERE sent_at IS NULL AND due_at <= ? LIMIT 1", [at]
        ).fetchone()
        return row is not None

    def mark_sent(self, ids: list[int], sender: str, at: str) -> None:
        """Sent: committed at once, so no later sender sends it again."""
        with self._immediate():
            self.db.execute(
                f"""UPDATE notifications SET sent_at = ?, last_attempt = ?, attempts = attempts + 1,
                        last_error = NULL, claimed_by = NULL, claim_expires = NULL
                    WHERE claimed_by = ? AND id IN ({", ".join("?" * len(ids))})""",
                [at, at, sender, *ids],
            )

    def mark_failed(self, ids: list[int], sender: str, at: str, error: str, due_at: str) -> None:
        """Not sent: the error kept, and due again at `due_at` (the backoff)."""
        with self._immediate():
            self.db.execute(
                f"""UPDATE notifications SET last_attempt = ?, attempts = attempts + 1, last_error = ?,
                        due_at = ?, claimed_by = NULL, claim_expires = NULL
                    WHERE claimed_by = ? AND id IN ({", ".join("?" * len(ids))})""",
                [at, error, due_at, sender, *ids],
            )

    def messages(self, subscription_id: int) -> list[dict]:
        """A subscription's messages, oldest first (what `notify list --json` and the tests read)."""
        rows = self.db.query(
            """SELECT id, article_id, queued_at, due_at, attempts, last_attempt, last_error, sent_at
               FROM notifications WHERE subscription_id = ? ORDER BY id""",
            [subscription_id],
        )
        return list(rows)

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        """Its own write transaction, or part of the caller's when one is open (a capture's unit)."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute(self.db.begin_write)
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise


def _decoded(row: dict) -> dict:
    return {k: json.loads(v) if k in LIST_COLUMNS else v for k, v in row.items()}
