"""The `versioner` command as a user runs it: real processes, real database files."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import versioner

ROOT = Path(__file__).resolve().parents[2]


def as_json(db: Path, *args: str):
    return json.loads(versioner(db, *args, "--json").stdout)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "sample.db"
    versioner(db, "ingest", ROOT / "snapshots")
    return db


def test_ingest_snapshots_gives_the_seed_article_with_two_versions(sample_db):
    [seed] = [a for a in as_json(sample_db, "articles") if "heute.at" in a["url"]]
    assert seed["versions"] == 2
    versions = as_json(sample_db, "versions", str(seed["id"]))
    assert [v["n"] for v in versions] == [1, 2]
    assert versions[1]["updated"] == "2025-02-07T11:54:00Z"


def test_reingesting_is_idempotent(sample_db):
    before = as_json(sample_db, "articles")
    summary = json.loads(versioner(sample_db, "ingest", "--json", ROOT / "snapshots").stdout)
    assert summary["duplicates"] == summary["captures"] and summary["new_versions"] == 0
    assert as_json(sample_db, "articles") == before


def test_show_prints_the_normalised_text_without_chrome(sample_db):
    shown = as_json(
        sample_db,
        "show",
        "https://www.heute.at/s/ukraine-durchbricht-front-bei-kursk-und-rueckt-5-km-vor-120086442",
    )
    assert shown["n"] == 2 and "Sluzki" in shown["text"]
    for chrome in ("{title &&", "Es gibt neue Nachrichten", "Zur Startseite", "Akt. 07.02.2025"):
        assert chrome not in shown["text"]


def test_diff_json_ops_rebuild_both_versions(sample_db):
    [seed] = [a for a in as_json(sample_db, "articles") if "heute.at" in a["url"]]
    diff = json.loads(versioner(sample_db, "diff", str(seed["id"]), "--format", "json").stdout)
    old = "".join(t for op, t in diff["ops"] if op in "=-")
    new = "".join(t for op, t in diff["ops"] if op in "=+")
    assert old == as_json(sample_db, "show", str(seed["id"]), "1")["text"]
    assert new == as_json(sample_db, "show", str(seed["id"]), "2")["text"]
    assert any(op == "+" and "Sluzki" in t for op, t in diff["ops"])


def test_diff_text_marks_insertions(sample_db):
    [seed] = [a for a in as_json(sample_db, "articles") if "heute.at" in a["url"]]
    out = versioner(sample_db, "diff", str(seed["id"]), "1", "2").stdout.decode()
    assert "{+" in out and "Sluzki" in out


def test_unknown_article_and_version_are_clear_errors(sample_db):
    for args in (("show", "99999"), ("show", "1", "42"), ("diff", "1", "7", "9")):
        done = versioner(sample_db, *args, check=False)
        assert done.returncode == 1 and b"Traceback" not in done.stderr
        assert done.stderr.startswith(b"Error:")


def test_bad_files_fail_named_while_good_ones_land(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Harbour plan approved\n\nThe council approved the plan.\n")
    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    db = tmp_path / "v.db"
    done = versioner(
        db,
        "ingest",
        "--url",
        "https://a.example/s",
        "--fetched-at",
        "2025-01-01T00:00:00Z",
        good,
        image,
        empty,
        tmp_path / "missing.txt",
        check=False,
    )
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    for name in (b"photo.png", b"empty.txt", b"missing.txt"):
        assert name in done.stderr
    assert [v["n"] for v in as_json(db, "versions", "https://a.example/s")] == [1]


def test_snapshot_without_url_is_an_error(tmp_path):
    (tmp_path / "x.txt").write_text("Title\n\nBody.")
    done = versioner(tmp_path / "v.db", "ingest", tmp_path / "x.txt", check=False)
    assert done.returncode == 1 and b"no URL" in done.stderr


def test_stdin_is_a_snapshot(tmp_path):
    db = tmp_path / "v.db"
    versioner(db, "ingest", "--url", "https://a.example/piped", "-", stdin=b"Piped headline\n\nPiped body.\n")
    assert as_json(db, "show", "https://a.example/piped")["title"] == "Piped headline"


def test_javascript_url_is_refused(tmp_path):
    (tmp_path / "x.txt").write_text("Title\n\nBody.")
    done = versioner(
        tmp_path / "v.db", "ingest", "--url", "javascript:alert(1)", tmp_path / "x.txt", check=False
    )
    assert done.returncode == 1 and b"http" in done.stderr


def _write_series(folder: Path, articles: int, captures: int) -> None:
    for a in range(articles):
        for c in range(captures):
            name = folder / f"a{a:03d}" / f"2025-03-01T{c // 60:02d}-{c % 60:02d}-00Z.txt"
            name.parent.mkdir(parents=True, exist_ok=True)
            name.write_text(
                f"Story {a}\n\n"
                + "\n\n".join(f"Paragraph {p} of story {a}, edit {c // 3}." for p in range(8))
            )
            (name.parent / (name.name + ".meta.json")).write_text(
                json.dumps({"url": f"https://a.example/{a}"})
            )


def _versions(db: Path) -> list:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT a.url, v.n, v.text_hash, v.capture_count FROM versions v "
            "JOIN articles a ON a.id = v.article_id ORDER BY a.url, v.n"
        ).fetchall()


@pytest.mark.slow
def test_kill_9_during_ingest_leaves_a_sound_database_that_resumes(tmp_path):
    _write_series(tmp_path / "in", articles=40, captures=30)
    clean = tmp_path / "clean.db"
    versioner(clean, "ingest", tmp_path / "in")
    killed = tmp_path / "killed.db"
    interrupted = 0
    for delay in (0.5, 0.9, 1.3):
        proc = subprocess.Popen(
            [sys.executable, "-P", "-m", "versioner", "--db", str(killed), "ingest", str(tmp_path / "in")],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ.copy(),
        )
        time.sleep(delay)
        interrupted += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with sqlite3.connect(killed) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'captures'").fetchone():
                continue  # killed before the schema was made (a slow start): an empty file, still sound
            orphans = conn.execute(
                "SELECT count(*) FROM captures WHERE status = 'accepted' AND version_id IS NULL"
            ).fetchone()[0]
            assert orphans == 0
    assert interrupted, "every run finished before the kill: nothing was tested"
    versioner(killed, "ingest", tmp_path / "in")
    assert _versions(killed) == _versions(clean)


def test_search_prints_hits_and_json_with_match_offsets(sample_db):
    printed = versioner(sample_db, "search", "Sluzki").stdout.decode()
    assert "[Sluzki]" in printed and printed.rstrip().endswith("1 article found")
    found = as_json(sample_db, "search", '"amber wind"')
    [hit] = found["results"]
    assert found["total"] == 1 and hit["matching"] == [1, 2, 3]
    assert [hit["snippet"][a:b] for a, b in hit["matches"]] == ["amber", "wind"]
    assert as_json(sample_db, "search", "nowhere-to-be-found")["results"] == []
