"""`versioner copy SRC DST`: every row arrives, ids and all; the copy reads the same; a stopped copy goes
on where it stopped; a destination holding anything else is refused, nothing written."""

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import postgres_server
import psycopg
import pytest
from conftest import drop_database
from helpers import CORPUS, ROOT, corpus_series, ingest_all, text_capture, versioner_text

from versioner.aliases import merge
from versioner.changes import load, warm
from versioner.errors import CopyError
from versioner.notify.subscribe import add as subscribe
from versioner.search_results import search
from versioner.store import Store
from versioner.store.copy import DERIVED, TABLES, copy_archive, open_stores, verify
from versioner.store.row_digest import encode_row
from versioner.versioning import ingest

SERIES = [
    ("frontpage-teasers-de", "bild-de-ein-meer-aus-blumen-und-kerzen-so-trauert-die-schwei"),
    ("frontpage-teasers-de", "bild-de-hertha-bsc-zwei-stars-fehlen-im-portugal-camp-6958f8"),
    ("frontpage-html-de", "fr-de-impressum"),
    ("wikipedia-revisions-en", "hall-effect"),
]
TRACKED = 3000  # enough rows, written one per transaction, for a copy to be stopped in the middle


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> str:
    """A real archive: corpus series with their versions, a merge, subscriptions and their outbox,
    tracked URLs and a feed, cached diffs; its file is copied by each test that needs its own."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (set VERSIONER_CORPUS)")
    path = tmp_path_factory.mktemp("archive") / "src.db"
    store = Store(path)
    subscribe(store, "http://127.0.0.1:9/all", allow_private=True, secret="s3cret")
    subscribe(store, "http://127.0.0.1:9/words", allow_private=True, words=["Kerzen"], digest="daily")
    for source, name in SERIES:
        ingest_all(store, corpus_series(CORPUS, source, name))
    first = "https://news.example.org/bridge-vote"
    ingest(store, text_capture("Bridge vote\n\nThe council votes on Thursday.", 0, url=first))
    ingest(store, text_capture("Bridge vote\n\nThe council votes on Friday.", 30, url=first + "-updated"))
    merge(store, first, first + "-updated")
    with store.transaction():
        store.watchlist.add_feed("https://news.example.org/rss.xml", "2025-02-07T10:00:00Z")
        for n in range(TRACKED):
            store.watchlist.track(f"https://news.example.org/story-{n}", "2025-02-07T10:00:00Z")
    warm(store, store.article_ids())
    store.close()
    return str(path)


@pytest.fixture
def src(archive, tmp_path) -> str:
    path = tmp_path / "src.db"
    shutil.copy(archive, path)
    return str(path)


def rows(location: str, table: str) -> list[tuple]:
    """Every row of a table in either store, its columns in name order, bytes as bytes, sorted."""
    store = Store(location)
    try:
        names = sorted(column[0] for column in store.db.execute(f"SELECT * FROM {table} LIMIT 0").description)
        found = store.db.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()
        return sorted(
            (tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in found), key=repr
        )
    finally:
        store.close()


def count_beside(location: str, table: str) -> int:
    """Rows of a table, read beside the copy writing it (SQLite's WAL lets it); 0 before it exists."""
    try:
        if location.startswith("postgresql://"):
            with psycopg.connect(location, autocommit=True) as conn:
                return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        conn = sqlite3.connect(f"file:{location}?mode=ro", uri=True, timeout=5)
    except (sqlite3.OperationalError, psycopg.Error):
        return 0
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def copy_files(src: str, dst: str, **options):
    source, destination = open_stores(src, dst)
    try:
        return copy_archive(source, destination, **options)
    finally:
        source.close()
        destination.close()


def cli_copy(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-P", "-m", "versioner", "copy", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_every_table_is_copied_or_built_again(tmp_path):
    store = Store(tmp_path / "fresh.db")
    tables = {t for t in store.db.table_names() if not t.startswith("paragraphs_fts_")}
    store.close()
    assert tables == {table for table, _ in TABLES} | set(DERIVED)


def test_a_copy_holds_every_row_of_every_table(src, database):
    dst = database
    copied = copy_files(src, dst)
    for table, _ in TABLES:
        assert rows(dst, table) == rows(src, table), table
    assert {t.table: t.rows for t in copied}["tracked_urls"] == TRACKED
    assert all(t.copied == t.rows for t in copied)
    assert rows(dst, "paragraphs") and rows(dst, "text_paragraphs")  # built again: what searches read
    assert rows(dst, "article_stats") == rows(src, "article_stats")


def test_a_copy_reads_the_same_versions_diffs_searches_and_statistics(src, database):
    dst = database
    copy_files(src, dst)
    ours, theirs = Store(src), Store(dst)
    try:
        assert theirs.articles(limit=100) == ours.articles(limit=100)
        for article in ours.articles(limit=100):
            versions = ours.versions(article["id"])
            assert theirs.versions(article["id"]) == versions
            assert [theirs.version(v.article_id, v.n) for v in versions] == [
                ours.version(v.article_id, v.n) for v in versions
            ]
            pairs = list(zip(versions, versions[1:], strict=False))
            assert [load(theirs, old, new) for old, new in pairs] == [
                load(ours, old, new) for old, new in pairs
            ]
            assert theirs.captures(article["id"]) == ours.captures(article["id"])
        for words in ("Kerzen", "Hall", "council Friday"):
            assert search(theirs, words) == search(ours, words)
        assert theirs.site_stats.sites() == ours.site_stats.sites() and theirs.sites() == ours.sites()
        assert theirs.subscriptions.all() == ours.subscriptions.all()
        assert theirs.article("https://news.example.org/bridge-vote-updated") == ours.article(
            "https://news.example.org/bridge-vote-updated"
        )
    finally:
        ours.close()
        theirs.close()


def test_the_next_article_and_capture_stored_in_a_copy_get_new_ids(src, database):
    copy_files(src, database)
    store = Store(database)
    try:
        conn = sqlite3.connect(src)
        last_article, last_capture = conn.execute(
            "SELECT (SELECT max(id) FROM articles), (SELECT max(id) FROM captures)"
        ).fetchone()
        conn.close()
        result = ingest(
            store, text_capture("A new story\n\nIt happened today.", url="https://news.example.org/new")
        )
        assert result.article_id == last_article + 1
        assert store.captures(result.article_id)[0]["id"] == last_capture + 1
    finally:
        store.close()


def test_an_archive_copied_to_postgresql_and_back_is_the_same_archive(src, postgres, tmp_path):
    server, template = postgres
    url, back = postgres_server.fresh_database(server, template), str(tmp_path / "back.db")
    try:
        copy_files(src, url)
        copy_files(url, back)
    finally:
        drop_database(server, url)
    for table, _ in TABLES:
        assert rows(back, table) == rows(src, table), table
    assert rows(back, "article_stats") == rows(src, "article_stats")


def test_the_command_says_what_it_verified(src, tmp_path):
    dst = tmp_path / "dst.db"
    done = cli_copy(src, dst, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert [t["table"] for t in summary["tables"]] == [table for table, _ in TABLES]
    assert {t["table"]: t["rows"] for t in summary["tables"]}["tracked_urls"] == TRACKED
    assert "captures: 0 of" in done.stderr and f"tracked_urls: {TRACKED:,} of {TRACKED:,} rows" in done.stderr
    again = cli_copy(src, dst)
    assert again.returncode == 0, again.stderr
    assert "verified: 13 tables" in again.stdout and "the same counts and content hashes" in again.stdout


def test_a_copy_killed_midway_goes_on_where_it_stopped(src, database):
    dst = database
    command = [sys.executable, "-P", "-m", "versioner", "copy", src, dst, "--batch-size", "1"]
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            if count_beside(dst, "tracked_urls") >= 100:
                break
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    stopped_at = count_beside(dst, "tracked_urls")
    assert 100 <= stopped_at < TRACKED, "the copy was not stopped in the middle"
    done = cli_copy(src, dst, "--json")
    assert done.returncode == 0, done.stderr
    tables = {t["table"]: t for t in json.loads(done.stdout)["tables"]}
    assert tables["tracked_urls"]["copied"] == TRACKED - stopped_at
    assert tables["articles"]["copied"] == 0  # done before the kill, not written twice
    for table, _ in TABLES:
        assert rows(dst, table) == rows(src, table), table


def test_a_copy_interrupted_within_the_chains_of_raw_captures_goes_on(src, database):
    """Raw captures go by depth in their chains of bases, then hash: a stop in the middle of a level."""
    dst = database
    pages = []

    def interrupt(message: str, _milestone: bool) -> None:
        if message.startswith("raw_blobs:"):
            pages.append(message)
            if len(pages) == 4:
                raise KeyboardInterrupt

    source, destination = open_stores(src, dst)
    try:
        with pytest.raises(KeyboardInterrupt):
            copy_archive(source, destination, batch=2, progress=interrupt)
    finally:
        source.close()
        destination.close()
    assert len(rows(dst, "raw_blobs")) == 6 and len(rows(dst, "versions")) == 0  # texts come before
    depths = {row[3] for row in rows(src, "raw_blobs")}  # base_hash, compression, data, depth, ...
    assert len(depths) > 2, "the archive has chains of raw captures"
    copied = {t.table: t.copied for t in copy_files(src, dst, batch=2)}
    assert copied["raw_blobs"] == len(rows(src, "raw_blobs")) - 6 and copied["articles"] == 0
    for table, _ in TABLES:
        assert rows(dst, table) == rows(src, table), table


def test_a_destination_holding_another_archive_is_refused_and_left_alone(src, database):
    dst = database
    store = Store(dst)
    ingest(store, text_capture("Another archive\n\nWith its own story.", url="https://other.example.org/a"))
    store.close()
    before = {table: rows(dst, table) for table, _ in TABLES}
    done = cli_copy(src, dst)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "already holds 1 rows of table articles that are not a copy" in done.stderr
    assert {table: rows(dst, table) for table, _ in TABLES} == before


def test_a_source_changed_since_a_stopped_copy_is_refused(src, tmp_path):
    dst = str(tmp_path / "dst.db")
    copy_files(src, dst)
    store = Store(src)
    ingest(
        store,
        text_capture(
            "Bridge vote\n\nThe council votes on Monday.", 90, url="https://news.example.org/bridge-vote"
        ),
    )
    store.close()
    with pytest.raises(CopyError, match="the source changed since a copy was stopped"):
        copy_files(src, dst)


def test_a_copy_that_differs_from_its_source_names_the_table(src, tmp_path):
    dst = str(tmp_path / "dst.db")
    copy_files(src, dst)
    conn = sqlite3.connect(dst)
    conn.execute("UPDATE versions SET title = title || '!' WHERE id = 1")
    conn.commit()
    conn.close()
    source, destination = Store(src), Store(dst)
    try:
        with pytest.raises(CopyError, match="the copy of table versions differs from its source"):
            verify(source, destination)
    finally:
        source.close()
        destination.close()


def test_a_missing_source_is_refused_and_not_created(tmp_path):
    done = cli_copy(tmp_path / "missing.db", tmp_path / "dst.db")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "no database at" in done.stderr
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "dst.db").exists()


def test_a_source_copied_onto_itself_is_refused(src, tmp_path):
    for same in (src, str(tmp_path / "." / ".." / tmp_path.name / "src.db")):
        done = cli_copy(src, same)
        assert done.returncode == 1 and "SRC and DST are one database" in done.stderr


def test_a_batch_of_no_rows_is_refused(src, tmp_path):
    done = versioner_text(
        tmp_path / "unused.db", "copy", src, tmp_path / "dst.db", "--batch-size", "0", check=False
    )
    assert done.returncode == 2 and "--batch-size" in done.stderr


def test_the_content_hash_tells_values_of_each_type_apart():
    encodings = {
        encode_row(row)
        for row in [(1,), ("1",), (b"1",), (None,), (1.0,), ("",), (b"",), ("a", "b"), ("ab",)]
    }
    assert len(encodings) == 9
    assert encode_row((True, memoryview(b"x"))) == encode_row((1, b"x"))  # PostgreSQL's bool and bytea
