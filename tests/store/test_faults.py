"""Faults: a full disk, concurrent writers, a long reader. Nothing stored may be lost or corrupted."""

import random
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import text_capture

from versioner.errors import StorageError
from versioner.store import Store
from versioner.versioning import ingest

ROOT = Path(__file__).resolve().parents[2]


def test_full_disk_is_a_clear_error_and_ingest_resumes_when_there_is_room(tmp_path):
    store = Store(tmp_path / "full.db")
    first = ingest(store, text_capture("Small story\n\nFirst text.", 0))
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 2}")
    words = random.Random(7)
    # incompressible text: captures and texts are stored compressed
    huge = "Huge story\n\n" + "\n\n".join(
        " ".join(f"{words.getrandbits(40):x}" for _ in range(200)) for _ in range(200)
    )
    with pytest.raises(StorageError, match="refused a write"):
        ingest(store, text_capture(huge, 10, url="https://news.example.org/huge"))
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [store.with_text(v).text for v in store.versions(first.article_id)] == ["First text."]
    assert store.article_id_for_url("https://news.example.org/huge") is None  # nothing half-stored
    store.db.execute("PRAGMA max_page_count = 1073741823")
    assert ingest(store, text_capture(huge, 10, url="https://news.example.org/huge")).status == "new version"
    store.close()


def _ingest_script(db: Path, folder: Path) -> list[str]:
    return [sys.executable, "-P", "-m", "versioner", "--db", str(db), "ingest", str(folder)]


def test_parallel_ingest_processes_store_every_capture_exactly_once(tmp_path, database):
    for worker in range(3):
        folder = tmp_path / f"in{worker}"
        folder.mkdir()
        for c in range(12):
            # every worker ingests the same shared article too, to contend on one article's rows
            for url, body in (
                (f"https://a.example/w{worker}", f"Story {worker}\n\nEdit {c // 4} of story."),
                ("https://a.example/shared", f"Shared\n\nShared edit {c // 6}."),
            ):
                name = folder / f"{url.rsplit('/', 1)[1]}-2025-03-01T10-{c:02d}-00Z.txt"
                name.write_text(body)
                (folder / (name.name + ".meta.json")).write_text(f'{{"url": "{url}"}}')
    db = database
    Store(db).close()
    procs = [
        subprocess.Popen(_ingest_script(db, tmp_path / f"in{w}"), cwd=ROOT, stderr=subprocess.PIPE)
        for w in range(3)
    ]
    errors = [p.communicate()[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    store = Store(db)
    assert store.db.execute("SELECT count(*) FROM captures").fetchone()[0] == 3 * 12 + 12
    shared = store.db.execute(
        "SELECT v.capture_count FROM versions v JOIN articles a ON a.id = v.article_id "
        "WHERE a.url = 'https://a.example/shared' ORDER BY n"
    ).fetchall()
    store.close()
    assert [tuple(row) for row in shared] == [
        (6,),
        (6,),
    ]  # each shared capture stored once, though three processes sent it


def test_a_long_reader_does_not_block_ingestion(tmp_path):
    db = tmp_path / "reader.db"
    store = Store(db)
    ingest(store, text_capture("Story\n\nFirst.", 0))
    reader = sqlite3.connect(db)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM versions").fetchone()  # holds a read snapshot open
    done = threading.Event()

    def write():
        ingest(store, text_capture("Story\n\nSecond.", 10))
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(timeout=20)
    assert done.is_set(), "ingest waited on a reader"
    assert (
        reader.execute("SELECT count(*) FROM versions").fetchone()[0] == 1
    )  # the reader's snapshot is stable
    reader.execute("COMMIT")
    reader.close()
    store.close()


def test_a_full_disk_in_a_batched_ingest_loses_no_committed_capture_and_a_rerun_completes(tmp_path):
    from versioner.ingest_files import ingest_paths

    folder = tmp_path / "in"
    folder.mkdir()
    words = random.Random(11)
    for minute in range(6):
        size = 400 if minute == 3 else 2  # the fourth capture is too big for the room left
        body = "\n\n".join(" ".join(f"{words.getrandbits(40):x}" for _ in range(200)) for _ in range(size))
        name = folder / f"2025-03-01T10-{minute:02d}-00Z.txt"
        name.write_text(f"Story {minute}\n\n{body}")
        (folder / (name.name + ".meta.json")).write_text(f'{{"url": "https://a.example/{minute}"}}')
    store = Store(tmp_path / "batched.db")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 60}")
    summary = ingest_paths(store, [folder])
    assert summary.errors and all(
        "refused a write" in e["error"] or "not stored" in e["error"] for e in summary.errors
    )
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {row[0] for row in store.db.execute("SELECT url FROM articles")}
    assert len(stored) == len(summary.results)  # every result reported stored is stored, nothing more
    store.db.execute("PRAGMA max_page_count = 1073741823")
    again = ingest_paths(store, [folder])
    assert not again.errors
    assert store.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 6
    store.close()
