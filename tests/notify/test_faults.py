"""Faults around the outbox, with real processes: kill -9 between storing and sending, and several
`notify send` runs at once. A message is never lost, never invented, never sent twice."""

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT, text_capture, versioner

from versioner.notify.subscribe import add
from versioner.store import Store
from versioner.versioning import ingest

VERSIONER = [sys.executable, "-P", "-m", "versioner"]


def write_series(folder: Path, articles: int, captures: int) -> None:
    """Captures in time order (file names are fetch times): each third one changes the text."""
    for a in range(articles):
        for c in range(captures):
            name = folder / f"a{a:03d}" / f"2025-03-01T{c // 60:02d}-{c % 60:02d}-00Z.txt"
            name.parent.mkdir(parents=True, exist_ok=True)
            paragraphs = (f"Paragraph {p} of story {a}, edit {c // 3}." for p in range(8))
            name.write_text(f"Story {a}\n\n" + "\n\n".join(paragraphs))
            (name.parent / (name.name + ".meta.json")).write_text(
                json.dumps({"url": f"https://a.example/{a}"})
            )


def changes_stored(db: Path) -> set[tuple[str, int]]:
    with sqlite3.connect(db) as conn:
        return set(
            conn.execute(
                "SELECT a.url, v.n FROM versions v JOIN articles a ON a.id = v.article_id WHERE v.n > 1"
            ).fetchall()
        )


def received(receiver, path: str) -> list[tuple[str, int]]:
    return [(m["article"]["url"], m["to_version"]) for m in receiver.bodies(path)]


@pytest.mark.slow
def test_kill_9_during_ingest_neither_loses_nor_invents_a_message(tmp_path, receiver):
    write_series(tmp_path / "in", articles=30, captures=30)
    db = tmp_path / "killed.db"
    versioner(db, "notify", "add", "--allow-private", receiver.url("/all"))
    receiver.stop()  # nothing is delivered while the runs are killed: every message waits in the outbox
    interrupted = 0
    for delay in (0.6, 1.0, 1.4):
        proc = subprocess.Popen(
            [*VERSIONER, "--db", str(db), "ingest", str(tmp_path / "in")],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        interrupted += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert interrupted, "every run finished before the kill: nothing was tested"
    versioner(db, "ingest", tmp_path / "in")  # the rest; what is stored is skipped as a duplicate
    receiver.start()
    versioner(db, "notify", "send")
    expected = changes_stored(db)
    assert expected, "the series made no change"
    got = received(receiver, "/all")
    assert sorted(got) == sorted(expected)  # one each: none lost, none twice, none for a version not stored


def test_concurrent_notify_send_runs_never_send_a_message_twice(database, receiver):
    db = database
    store = Store(db)
    add(store, receiver.url("/slow"), allow_private=True)
    receiver.stop()
    for a in range(10):
        url = f"https://news.example.org/{a}"
        for c in range(4):
            ingest(store, text_capture(f"Story {a}\n\nEdit {c} of story {a}.", c * 10, url=url))
    store.close()
    receiver.start()
    runs = [
        subprocess.Popen([*VERSIONER, "--db", str(db), "notify", "send"], cwd=ROOT, stdout=subprocess.DEVNULL)
        for _ in range(3)
    ]
    assert [run.wait(timeout=120) for run in runs] == [0, 0, 0]
    got = received(receiver, "/slow")
    assert len(got) == 30 and len(set(got)) == 30
