"""`versioner check`: a sound archive says so; each kind of damage is named, exit status 1, no traceback."""

import json
import sqlite3

import pytest
from helpers import ROOT, versioner


@pytest.fixture
def archive(tmp_path):
    db = tmp_path / "news.db"
    versioner(db, "ingest", ROOT / "snapshots")
    return db


def check(db) -> tuple[int, dict]:
    done = versioner(db, "check", "--json", check=False)
    assert b"Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout)


def damage(db, sql: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute(sql)
    conn.commit()
    conn.close()


def test_a_sound_archive_is_sound(archive):
    assert check(archive) == (0, {"sound": True, "problems": []})
    assert versioner(archive, "check").stdout.decode().endswith(": sound\n")


def test_counts_out_of_step_are_named(archive):
    damage(archive, "UPDATE versions SET capture_count = capture_count + 1 WHERE id = 1")
    status, report = check(archive)
    assert status == 1 and [p["problem"] for p in report["problems"]] == [
        "versions whose capture count is off"
    ]


def test_a_text_that_no_longer_decodes_to_its_hash_is_found(archive):
    damage(archive, "UPDATE texts SET data = zeroblob(40) WHERE id = (SELECT max(id) FROM texts)")
    status, report = check(archive)
    assert status == 1
    assert "versions whose text does not decode to its hash" in [p["problem"] for p in report["problems"]]


def test_a_raw_capture_that_no_longer_decodes_to_its_hash_is_found(archive):
    damage(
        archive, "UPDATE raw_blobs SET data = zeroblob(40) WHERE rowid = (SELECT max(rowid) FROM raw_blobs)"
    )
    status, report = check(archive)
    assert status == 1
    assert [p["problem"] for p in report["problems"]] == ["raw captures that do not decode to their hash"]


def test_a_page_damaged_in_the_middle_of_the_file_is_reported_not_raised(archive):
    conn = sqlite3.connect(archive)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size, pages = (conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count"))
    conn.close()
    with archive.open("r+b") as file:  # a page in the middle, past the schema's first pages
        file.seek(page_size * (pages // 2))
        file.write(b"\xde\xad\xbe\xef" * (page_size // 4))
    done = versioner(archive, "check", check=False)
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert done.stdout.strip() or done.stderr.startswith(b"Error:")
