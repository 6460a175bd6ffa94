"""Databases versioner must not use as they are: one a newer versioner wrote, one damaged in the middle.

Both are a StorageError in Store (so the CLI prints it and exits 1, the web answers 503), and neither is
written to.
"""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import text_capture

from versioner.errors import StorageError
from versioner.store import Store
from versioner.store.schema import MIGRATIONS
from versioner.versioning import ingest
from versioner.web import create_app

ROOT = Path(__file__).resolve().parents[2]


def _versioner(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-P", "-m", "versioner", "--db", str(db), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def newer(tmp_path) -> Path:
    """A database of ours whose user_version says a later versioner migrated it further."""
    path = tmp_path / "newer.db"
    store = Store(path)
    ingest(store, text_capture("Harbour plan\n\nThe council approved it.", 0))
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")  # one file, so its bytes say whether anything wrote
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    return path


def test_a_database_from_a_newer_schema_is_refused_and_left_untouched(newer):
    before = newer.read_bytes()
    with pytest.raises(StorageError, match="newer versioner"):
        Store(newer)
    assert newer.read_bytes() == before
    assert sorted(p.name for p in newer.parent.iterdir()) == ["newer.db"]  # not even a WAL file


def test_the_cli_says_a_newer_schema_and_exits_1_without_writing(newer):
    before = newer.read_bytes()
    result = _versioner(newer, "articles")
    assert result.returncode == 1
    assert "newer versioner" in result.stderr and "Traceback" not in result.stderr
    assert newer.read_bytes() == before


def test_the_web_answers_503_for_a_newer_schema_without_writing(newer):
    before = newer.read_bytes()
    client = create_app({"DATABASE": str(newer), "TESTING": True}).test_client()
    for path in ("/", "/api/articles"):
        assert client.get(path).status_code == 503
    assert newer.read_bytes() == before


@pytest.fixture
def damaged(tmp_path) -> Path:
    """A database whose articles table has a page of garbage in the middle of the file."""
    path = tmp_path / "damaged.db"
    store = Store(path)
    for n in range(40):
        ingest(store, text_capture(f"Story {n}\n\nThe text of story {n}.", n, url=f"https://a.example/{n}"))
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'articles'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with path.open("r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\x0d" + b"\xa5" * (size - 1))
    return path


def test_a_damaged_page_is_a_storage_error_in_the_store(damaged):
    store = Store(damaged)
    try:
        with pytest.raises(StorageError, match="damaged"):
            store.articles()
        with pytest.raises(StorageError, match="damaged"):
            store.article(1)
    finally:
        store.close()


def test_the_web_answers_503_for_a_damaged_page(damaged):
    client = create_app({"DATABASE": str(damaged), "TESTING": True}).test_client()
    page, api = client.get("/"), client.get("/api/articles")
    assert (page.status_code, api.status_code) == (503, 503)
    assert "try again" in api.get_json()["error"]


def test_the_cli_says_a_damaged_file_and_exits_1(damaged):
    result = _versioner(damaged, "articles")
    assert result.returncode == 1
    assert "damaged" in result.stderr and "Traceback" not in result.stderr
