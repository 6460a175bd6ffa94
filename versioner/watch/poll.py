"""Tracking and polling: what `versioner track`, `feeds add` and `poll` do.

A poll run reads the followed feeds that are due (each new item link becomes a tracked article), then
checks every tracked article that is due (or all of them with force) and ingests each answer through
the same `ingest()` as files. Overlapping runs (cron) share the work through claims in the database
(watchlist.py): each row is claimed by one run in a short BEGIN IMMEDIATE transaction before it is
fetched, so no article is fetched twice, and every write is a short transaction that waits behind the
busy timeout instead of failing with "database is locked".

Private addresses are reached only for the hosts the user allowed: a URL or feed added with
--allow-private allows its own host, and a feed's items inherit that for the feed's host only; a
redirect or a feed item elsewhere that lands on a private address is refused, and a cloud metadata
address always is (addresses.py).
"""

import logging
import os
import socket
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from versioner.capture import Capture
from versioner.errors import FetchError, VersionerError
from versioner.sources.addresses import check_url, host_of
from versioner.sources.feeds import MAX_ITEMS, parse_feed
from versioner.sources.fetch import Fetcher
from versioner.store import Store
from versioner.store.watchlist import FEEDS, URLS, Watchlist
from versioner.times import now, parse_time, to_iso
from versioner.versioning import IngestResult, ingest
from versioner.watch.schedule import FEED_EVERY, Schedule, anchor_time, due_cutoff, next_check

# Rows claimed at a time, and how long a claim holds at least. Every finished check renews the run's
# other claims, so a claim must only outlast the slowest single fetch (Fetcher.longest_fetch, a bound
# that the attempt deadline enforces: about 5 minutes with the defaults); it is twice that if longer
# than the minimum.
CLAIM_BATCH = 10
CLAIM_LEASE = timedelta(minutes=15)

log = logging.getLogger("versioner.watch.poll")


@dataclass
class PollSummary:
    """What one run did; `due` counts what was due when it started, whichever run checked it."""

    due: int = 0
    feeds: int = 0
    new_items: int = 0
    fetched: int = 0
    not_modified: int = 0
    new_articles: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"{self.due} due, {self.fetched} fetched ({self.not_modified} not modified), "
            f"{self.changed} changed, {self.new_articles} new, {self.unchanged} unchanged, "
            f"{self.rejected} rejected, {len(self.errors)} errors; "
            f"{self.feeds} feeds read, {self.new_items} new links"
        )

    def to_json(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def count(self, result: IngestResult) -> None:
        if result.status == "new version":
            if result.version == 1:
                self.new_articles += 1
            else:
                self.changed += 1
        elif result.status in ("unchanged", "duplicate"):
            self.unchanged += 1
        else:
            self.rejected += 1


def track_url(watchlist: Watchlist, url: str, allow_private: bool = False) -> tuple[str, bool]:
    """Check a URL (http(s), public address unless allow_private) and track it: (its canonical form,
    whether it is new). allow_private is remembered: poll may reach this URL's host on a private address."""
    url = check_url(url, allow_private)
    return url, watchlist.track(url, to_iso(now()), allow_private=allow_private)


def follow_feed(watchlist: Watchlist, url: str, allow_private: bool = False) -> tuple[str, bool]:
    """Check a feed's URL and follow it: (its canonical form, whether it is new). allow_private is
    remembered for the feed's host, and passed on to its items on that same host."""
    url = check_url(url, allow_private)
    return url, watchlist.add_feed(url, to_iso(now()), allow_private)


def _release_dead_runs(watchlist: Watchlist) -> None:
    """Free at once the claims of runs on this host whose process is gone (killed, crashed).

    A run's id is `host:pid:random`; runs on other hosts, or whose pid lives (perhaps reused), keep
    their claims until the lease ends.
    """
    host = socket.gethostname()
    for run in watchlist.claimants(f"{host}:"):
        pid = run.split(":")[-2]
        if pid.isdigit() and not _process_alive(int(pid)):
            watchlist.release(run)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def poll(
    store: Store,
    fetcher: Fetcher,
    schedule: Schedule,
    force: bool = False,
    workers: int = 4,
    on_progress: Callable[[PollSummary], None] | None = None,
    allow_private: bool = False,
) -> PollSummary:
    """One run: feeds first, then the due articles; errors are collected per URL, never raised.

    allow_private: every URL and feed added by hand counts as added with --allow-private (databases
    from before the permission was stored); hosts that only a feed item or a redirect names never do.
    """
    watchlist = store.watchlist
    _release_dead_runs(watchlist)
    lease = max(CLAIM_LEASE, timedelta(seconds=2 * fetcher.longest_fetch()))
    run = Run(
        watchlist,
        f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
        now().replace(microsecond=0),
        force,
        lease,
        tickets={table: watchlist.ticket(table) for table in (URLS, FEEDS)},
        private_hosts=frozenset(host_of(url) for url in watchlist.private_urls(allow_private)) - {""},
    )
    summary = PollSummary()
    try:
        _read_feeds(run, fetcher, summary)
        _check_articles(run, store, fetcher, schedule, workers, summary, on_progress or (lambda _s: None))
    finally:
        run.watchlist.release(run.id)
    return summary


@dataclass(frozen=True)
class Run:
    """Who is polling, since when, and how to claim the next rows.

    `tickets` are the numbers of the last checks recorded when the run started: rows checked after that
    (by this run or an overlapping one) are not checked again by this run.
    """

    watchlist: Watchlist
    id: str
    started: datetime
    force: bool
    lease: timedelta
    tickets: dict[str, int]
    private_hosts: frozenset[str]  # hosts whose addresses may be private

    def claim(self, table: str) -> list[dict]:
        at = now()
        return self.watchlist.claim(
            table,
            self.id,
            self.tickets[table],
            to_iso(due_cutoff(self.started)),
            to_iso(at),
            to_iso(at + self.lease),
            CLAIM_BATCH,
            self.force,
        )

    def renew(self, table: str) -> None:
        """Extend this run's open claims: it is making progress."""
        self.watchlist.renew(table, self.id, to_iso(now() + self.lease))

    def count_due(self, table: str) -> int:
        return self.watchlist.count_due(
            table, self.tickets[table], to_iso(due_cutoff(self.started)), self.force
        )


def _read_feeds(run: Run, fetcher: Fetcher, summary: PollSummary) -> None:
    while batch := run.claim(FEEDS):
        for feed in batch:
            fields = {
                "last_checked": to_iso(now()),
                "last_status": None,
                "last_error": None,
                "next_check": to_iso(run.started + FEED_EVERY),
            }
            try:
                fetched = fetcher.fetch(feed["url"], feed["etag"], feed["last_modified"], run.private_hosts)
                fields["last_status"] = fetched.status
                if not fetched.not_modified:
                    if fetched.status != 200:
                        raise FetchError(f"{feed['url']}: HTTP status {fetched.status}")
                    parsed = parse_feed(fetched.raw, fetched.final_url)
                    host = host_of(feed["url"])
                    items = [
                        (
                            item.url,
                            to_iso(item.published) if item.published else None,
                            bool(feed["allow_private"]) and host_of(item.url) == host,
                        )
                        for item in parsed.items
                    ]
                    new = run.watchlist.track_feed_items(items, to_iso(now()), feed["id"])
                    summary.new_items += new
                    fields.update(title=parsed.title, etag=fetched.etag, last_modified=fetched.last_modified)
                    log.info("feed %s: %d items, %d new", feed["url"], len(items), new)
                    if parsed.cut:
                        log.warning(
                            "feed %s: only the first %d entries read, %d left out",
                            feed["url"],
                            MAX_ITEMS,
                            parsed.cut,
                        )
                summary.feeds += 1
            except VersionerError as err:
                fields["last_error"] = str(err)
                summary.errors.append({"url": feed["url"], "error": str(err)})
                log.warning("feed %s: %s", feed["url"], err)
            except Exception as err:  # as for articles: one odd feed must not stop the run
                fields["last_error"] = f"unexpected error: {err!r}"
                summary.errors.append({"url": feed["url"], "error": fields["last_error"]})
                log.exception("feed %s: unexpected error", feed["url"])
            run.watchlist.record_feed_check(feed["id"], run.id, fields)
            run.renew(FEEDS)


def _check_articles(
    run: Run,
    store: Store,
    fetcher: Fetcher,
    schedule: Schedule,
    workers: int,
    summary: PollSummary,
    on_progress: Callable[[PollSummary], None],
) -> None:
    """Fetch in worker threads (one request at a time per host: Fetcher), ingest in this one."""
    summary.due = run.count_due(URLS)
    on_progress(summary)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while batch := run.claim(URLS):
            futures = {
                pool.submit(
                    fetcher.fetch, row["url"], row["etag"], row["last_modified"], run.private_hosts
                ): row
                for row in batch
            }
            for future in as_completed(futures):
                _record(run, store, schedule, futures[future], future, summary)
                run.renew(URLS)
                on_progress(summary)


def _record(
    run: Run, store: Store, schedule: Schedule, row: dict, future: Future, summary: PollSummary
) -> None:
    """Ingest one answer and store the check: validators only from a 2xx answer that was stored."""
    fields = {
        "last_checked": to_iso(now()),
        "last_status": None,
        "last_error": None,
        "etag": row["etag"],
        "last_modified": row["last_modified"],
        "article_id": row["article_id"],
    }
    try:
        fetched = future.result()
        fields["last_status"] = fetched.status
        summary.fetched += 1
        if fetched.not_modified:
            summary.not_modified += 1
            log.info("%s: not modified", row["url"])
        elif 200 <= fetched.status < 300:
            result = ingest(store, fetched.to_capture())
            summary.count(result)
            fields.update(
                article_id=result.article_id, etag=fetched.etag, last_modified=fetched.last_modified
            )
            log.info("%s: %s%s", row["url"], result.status, f" {result.version}" if result.version else "")
        else:
            _keep_error_page(store, row["article_id"], fetched.to_capture())
            raise FetchError(f"{row['url']}: HTTP status {fetched.status}")
    except VersionerError as err:
        fields["last_error"] = str(err)
        summary.errors.append({"url": row["url"], "error": str(err)})
        log.warning("%s", err)
    except Exception as err:  # a bug on one odd page must not stop the run nor leave the row claimed
        fields["last_error"] = f"unexpected error: {err!r}"
        summary.errors.append({"url": row["url"], "error": fields["last_error"]})
        log.exception("%s: unexpected error", row["url"])
    times = run.watchlist.anchor_inputs(row["id"], fields["article_id"])
    if times is None:
        return
    first_seen, published = times
    anchor = anchor_time(parse_time(first_seen), parse_time(published) if published else None)
    upcoming = next_check(schedule, anchor, run.started)
    fields["next_check"] = to_iso(upcoming) if upcoming else None
    run.watchlist.record_url_check(row["id"], run.id, fields)


def _keep_error_page(store: Store, article_id: int | None, capture: Capture) -> None:
    """Store an error answer of a known article as a rejected capture: evidence that the page went away."""
    if article_id is None or not capture.raw.strip():
        return
    try:
        ingest(store, replace(capture, url=store.article(article_id)["url"]))
    except VersionerError as err:
        log.info("%s: error page not kept: %s", capture.source, err)
