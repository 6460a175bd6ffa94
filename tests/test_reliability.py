"""Faults beyond test_faults.py and test_cli.py: `versioner poll` killed with SIGKILL at random moments,
and ingest processes writing while `versioner serve` answers readers. Real processes, real databases (an
SQLite file, a PostgreSQL server), a real HTTP server on 127.0.0.1; after each fault the database must be
sound, and a re-run must finish the job.
"""

import json
import random
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from helpers import free_port, text_capture, versioner, wait_for

from versioner.store import Store
from versioner.store.integrity import check
from versioner.versioning import ingest
from versioner.web import create_app

ROOT = Path(__file__).resolve().parents[1]
VERSIONER = [sys.executable, "-P", "-m", "versioner"]


def assert_sound(db: Path) -> None:
    """The database passes SQLite's checks and versioner's invariants (`versioner check`, tested in
    tests/store/test_integrity.py): no half-stored capture or version, every text readable."""
    store = Store(db)
    try:
        assert check(store) == []
    finally:
        store.close()


def count(db: str | Path, sql: str, params=()) -> int:
    """One count over a database, read through the store's connection (an SQLite file or PostgreSQL)."""
    store = Store(db)
    try:
        return store.db.execute(sql, list(params)).fetchone()[0]
    finally:
        store.close()


def version_hashes(db: Path) -> dict[str, list[tuple[int, str]]]:
    """Every article's versions as (n, text hash), by URL: what an uninterrupted run must equal."""
    store = Store(db)
    try:
        return {
            a["url"]: [(v.n, v.text_hash) for v in store.versions(a["id"])]
            for a in store.articles(limit=10_000)
        }
    finally:
        store.close()


# --- kill -9 of `versioner poll` -----------------------------------------------------------------------

ARTICLES = 200
PARAGRAPH = (
    "The harbour committee met on {day} to discuss article {n}, and residents asked about traffic, "
    "noise and the cost of the works, which the mayor said would be published before the vote."
)


def article_page(n: int) -> bytes:
    paragraphs = "".join(
        f"<p>{PARAGRAPH.format(day=day, n=n)}</p>" for day in ("Monday", "Tuesday", "Friday")
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Story {n}</title></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>Harbour story number {n}</h1>{paragraphs}</article>"
        "<footer>Imprint</footer></body></html>"
    ).encode()


class ArticleHandler(BaseHTTPRequestHandler):
    """/story-N.html, without validators: every poll fetches and ingests every page again."""

    def do_GET(self):
        match = re.fullmatch(r"/story-(\d+)\.html", self.path)
        if not match or int(match[1]) >= ARTICLES:
            self.send_error(404)
            return
        body = article_page(int(match[1]))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a poll killed mid-response breaks the pipe: expected here


@pytest.fixture
def site():
    """The article URLs, served from a thread on 127.0.0.1."""
    server = QuietServer(("127.0.0.1", 0), ArticleHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield [f"http://127.0.0.1:{server.server_port}/story-{n:03d}.html" for n in range(ARTICLES)]
    finally:
        server.shutdown()
        server.server_close()


POLL = ("poll", "--allow-private", "--delay", "0", "--timeout", "5", "--workers", "4")


def tracked_state(db: str | Path) -> dict:
    return {
        "unchecked": count(db, "SELECT count(*) FROM tracked_urls WHERE last_checked IS NULL"),
        "without article": count(db, "SELECT count(*) FROM tracked_urls WHERE article_id IS NULL"),
        "claimed": count(  # by a run that may still be going (a dead run's expired claim is free)
            db,
            "SELECT count(*) FROM tracked_urls WHERE claimed_by IS NOT NULL AND claim_expires > ?",
            [datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")],
        ),
    }


@pytest.mark.slow
def test_kill_9_of_poll_at_random_moments_leaves_a_sound_database_and_a_rerun_completes(
    tmp_path, site, database
):
    """The killed runs write to `database` (SQLite or PostgreSQL); the clean run to an SQLite file."""
    urls = site
    clean = tmp_path / "clean.db"
    versioner(clean, "track", "--allow-private", *urls)
    started = time.monotonic()
    versioner(clean, *POLL)
    span = time.monotonic() - started  # one uninterrupted run over every article
    assert tracked_state(clean) == {"unchecked": 0, "without article": 0, "claimed": 0}

    killed = database
    versioner(killed, "track", "--allow-private", *urls)
    rng = random.Random(9)
    kills = 0
    for _ in range(6):
        proc = subprocess.Popen(
            [*VERSIONER, "--db", str(killed), *POLL, "--force"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.15, 0.85) * span)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        assert_sound(killed)
    assert kills >= 3, f"only {kills} of 6 runs were still going when killed: nothing much was tested"

    # the killed runs' claims are freed by the next run on this host: their processes are gone
    versioner(killed, *POLL)
    assert_sound(killed)
    assert tracked_state(killed) == {"unchecked": 0, "without article": 0, "claimed": 0}
    assert version_hashes(killed) == version_hashes(clean)
    repeated = count(
        killed,
        "SELECT count(*) FROM (SELECT 1 FROM captures GROUP BY article_id, fetched_at, raw_hash "
        "HAVING count(*) > 1) AS repeats",
    )
    assert repeated == 0


# --- ingest processes writing while the web server reads ---------------------------------------------

WORKERS = 3
OWN_ARTICLES = 4
CAPTURES = 12  # per article; the text changes every 3rd


def write_incoming(folder: Path, worker: int, rng: random.Random) -> None:
    """A worker's snapshots with sidecars: its own articles and one shared by every worker, each file
    named so that the folder's order is not the order in time (backfills renumber versions)."""
    folder.mkdir()
    items = []
    for c in range(CAPTURES):
        at = f"2025-03-01T10:{c:02d}:00Z"
        items.append(("https://a.example/shared", at, f"Shared story\n\nShared text, edit {c // 3}."))
        for a in range(OWN_ARTICLES):
            url = f"https://a.example/w{worker}-{a}"
            items.append((url, at, f"Story {worker}-{a}\n\nParagraph one of the story, edit {c // 3}."))
    rng.shuffle(items)
    for index, (url, at, body) in enumerate(items):
        (folder / f"{index:03d}.txt").write_text(body)
        (folder / f"{index:03d}.txt.meta.json").write_text(json.dumps({"url": url, "fetched_at": at}))


def read_pages(base: str, stop: threading.Event, seen: list) -> None:
    """Request the pages a reader opens, over and over, until stop; every answer into seen."""
    paths = ["/", "/api/articles", "/feed.atom", "/search?q=edit"]
    for article in range(1, WORKERS * OWN_ARTICLES + 2):
        paths += [
            f"/articles/{article}",
            f"/articles/{article}/versions/1",
            f"/articles/{article}/diff",
            f"/api/articles/{article}/diff",
            f"/articles/{article}/feed.atom",
        ]
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop.is_set():
            for path in paths:
                response = client.get(path)
                seen.append((path, response.status_code, response.text[:300]))


@pytest.mark.slow
def test_parallel_ingest_while_the_server_answers_reaches_no_reader_as_an_error(tmp_path, database):
    """Parallel writers on one database, SQLite or PostgreSQL, equal one sequential SQLite ingest."""
    rng = random.Random(4)
    for worker in range(WORKERS):
        write_incoming(tmp_path / f"in{worker}", worker, rng)
    db = database
    Store(db).close()
    port = free_port()
    server = subprocess.Popen(
        [*VERSIONER, "--db", str(db), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    stop, seen = threading.Event(), []
    readers = [threading.Thread(target=read_pages, args=(base, stop, seen)) for _ in range(3)]
    try:
        wait_for(base + "/about")
        for reader in readers:
            reader.start()
        writers = [
            subprocess.Popen(
                [*VERSIONER, "--db", str(db), "ingest", str(tmp_path / f"in{worker}")],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for worker in range(WORKERS)
        ]
        failures = [writer.communicate(timeout=300)[1] for writer in writers]
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)
        server.terminate()
        server.wait(timeout=10)

    assert [writer.returncode for writer in writers] == [0] * WORKERS, failures
    statuses = {status for _, status, _ in seen}
    errors = [(path, status, body) for path, status, body in seen if status >= 500 or "locked" in body]
    assert not errors, errors[:5]
    assert statuses <= {200, 404} and len(seen) > 100, (statuses, len(seen))
    assert_sound(db)
    captures = count(db, "SELECT count(*) FROM captures")
    assert captures == WORKERS * OWN_ARTICLES * CAPTURES + CAPTURES  # the shared ones once, not three times
    sequential = tmp_path / "sequential.db"
    versioner(sequential, "ingest", *(tmp_path / f"in{worker}" for worker in range(WORKERS)))
    assert version_hashes(db) == version_hashes(sequential)


def test_a_page_is_built_from_one_snapshot_when_an_ingest_commits_midway(database, monkeypatch):
    """A backfill that merges versions, committed between two queries of one request: the page shows the
    state before it, whole, instead of failing on a version that vanished under it."""
    url = "https://a.example/story"
    short = ["Short story\n\nA short first text.", "Short story\n\nA short second text."]
    long = "Short story\n\n" + "\n\n".join(
        f"Long paragraph {i} with a good many more words in it." for i in range(20)
    )
    writer = Store(database)
    for minutes, body in ((20, short[0]), (40, short[1])):
        ingest(writer, text_capture(body, minutes, url=url))
    assert len(writer.versions(writer.article_id_for_url(url))) == 2
    client = create_app({"DATABASE": database, "TESTING": True}).test_client()
    listed = Store.articles

    def list_then_backfill(self, *args, **kwargs):
        rows = listed(self, *args, **kwargs)
        if self is not writer and not backfilled:
            backfilled.append(ingest(writer, text_capture(long, 0, url=url)))  # before both: they read as cut
        return rows

    backfilled = []
    monkeypatch.setattr(Store, "articles", list_then_backfill)
    home = client.get("/")
    assert backfilled and len(writer.versions(writer.article_id_for_url(url))) == 1
    assert home.status_code == 200, home.get_data(as_text=True)[:500]
    assert "2 versions" in home.get_data(as_text=True)  # the state before the backfill, consistently
    writer.close()
