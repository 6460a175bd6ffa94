"""The outbox: messages queued inside ingest's transaction, sent after it.

`queue` runs inside the capture's unit of work, so the message exists exactly when the version does: a
kill -9 before the commit loses both, after it keeps both. `send` claims what is due, sends it on a few
threads (a slow or failing target holds up only its own thread, within its timeout) and records each
result in its own commit; a failure is due again after a backoff that doubles, up to MAX_BACKOFF.
"""

import os
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from versioner import changes
from versioner.errors import DeliveryFailed
from versioner.notify.deliver import TIMEOUT_SECONDS, deliver
from versioner.notify.matching import matches, words_found
from versioner.notify.message import describe, subject, text_body, with_link
from versioner.notify.targets import redact
from versioner.store import Store
from versioner.times import now, to_iso

WORKERS = 8
CLAIM_BATCH = 100  # rows claimed at once: all of them sent well within CLAIM_SECONDS
CLAIM_SECONDS = 15 * 60
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
DIGEST_PERIODS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1)}


def queue(store: Store, article_id: int, n: int, latest: int) -> int:
    """Queue a message for each subscription that version n (of `latest`) matches; how many were queued.

    Call it inside the capture's transaction, after the versions were rebuilt and their diffs computed.
    Version 1 has nothing to compare with and queues nothing; a version placed before the latest is a
    backfill, sent only to subscriptions that asked for backfills. The key (both sides' text hashes and
    the new version's first capture) makes a rebuild of the same versions queue nothing twice.
    """
    subscriptions = store.subscriptions.matchable()
    if not subscriptions or n < 2:
        return 0
    article = store.article(article_id)
    old, new = store.version_info(article_id, n - 1), store.version_info(article_id, n)
    change, message = describe(article, old, new, changes.load(store, old, new), backfill=n < latest)
    key = f"{old.text_hash}..{new.text_hash}@{new.first_seen}"
    moment = now()
    queued = 0
    for subscription in subscriptions:
        if not matches(subscription, change):
            continue
        found = words_found(subscription["words"], change) if subscription["words"] else []
        queued += store.subscriptions.queue(
            subscription["id"],
            article_id,
            key,
            {**message, "subscription": subscription["id"], "matched_words": found},
            to_iso(moment),
            to_iso(_due(subscription["digest"], moment)),
        )
    return queued


def _due(digest: str | None, moment: datetime) -> datetime:
    """At once, or at the end of the digest's period (the hour, the UTC day)."""
    if digest is None:
        return moment
    start = moment.replace(minute=0, second=0, microsecond=0)
    if digest == "daily":
        start = start.replace(hour=0)
    return start + DIGEST_PERIODS[digest]


@dataclass
class SendReport:
    """What a send run did: messages sent, deliveries that failed and why."""

    sent: int = 0
    failed: int = 0
    failures: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "failures": self.failures}

    def describe(self) -> str:
        return f"{self.sent} notifications sent, {self.failed} failed (retried later)"


def send(
    store: Store,
    base_url: str | None,
    force: bool = False,
    only: int | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> SendReport:
    """Send what is due (with force: every unsent message, failed ones whatever their backoff).

    A digest subscription's due messages go as one. Each message is attempted at most once per run.
    """
    report = SendReport()
    if not force and not store.subscriptions.has_due(to_iso(now())):
        return report  # the common case after a run: no write at all
    sender = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    attempted: list[int] = []
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="notify") as pool:
        while True:
            moment = now()
            rows = store.subscriptions.claim(
                sender,
                to_iso(moment),
                to_iso(moment + timedelta(seconds=CLAIM_SECONDS)),
                force,
                only,
                skip=attempted,
                limit=CLAIM_BATCH,
            )
            if not rows:
                return report
            attempted += [row["id"] for row in rows]
            deliveries = {pool.submit(_attempt, batch, base_url, timeout): batch for batch in _batches(rows)}
            for done in as_completed(deliveries):
                _record(store, sender, deliveries[done], done.result(), report)


def _batches(rows: list[dict]) -> list[list[dict]]:
    """One delivery per message; one per digest subscription for all of its due messages."""
    digests: dict[int, list[dict]] = {}
    single = []
    for row in rows:
        if row["digest"]:
            digests.setdefault(row["subscription_id"], []).append(row)
        else:
            single.append([row])
    return single + list(digests.values())


def _attempt(batch: list[dict], base_url: str | None, timeout: float) -> str | None:
    """Deliver one batch; None when it arrived, else why not."""
    first = batch[0]
    messages = [with_link(row["message"], base_url) for row in batch]
    if first["digest"]:
        message = {"event": "digest", "subscription": first["subscription_id"], "changes": messages}
    else:
        message = messages[0]
    try:
        deliver(
            first["target"],
            allow_private=bool(first["allow_private"]),
            secret=first["secret"],
            subject=subject(message),
            text=text_body(message),
            message=message,
            timeout=timeout,
        )
    except DeliveryFailed as err:
        return str(err)[:500]
    except Exception as err:  # a channel's own bug must not stop the others: kept as the error
        return f"{type(err).__name__}: {err}"[:500]
    return None


def _record(store: Store, sender: str, batch: list[dict], error: str | None, report: SendReport) -> None:
    ids = [row["id"] for row in batch]
    at = now()
    if error is None:
        store.subscriptions.mark_sent(ids, sender, to_iso(at))
        report.sent += 1
        return
    attempts = max(row["attempts"] for row in batch) + 1
    backoff = min(FIRST_BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)
    store.subscriptions.mark_failed(ids, sender, to_iso(at), error, to_iso(at + backoff))
    report.failed += 1
    report.failures.append(
        {"subscription": batch[0]["subscription_id"], "target": redact(batch[0]["target"]), "error": error}
    )
