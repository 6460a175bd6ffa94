"""`versioner captures` lists every capture's fate; `versioner reextract` brings an archive in line with today's rules."""

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta

from helpers import ROOT, T0, ingest_all, versioner_text

from versioner.capture import Capture
from versioner.extract import html as html_extraction
from versioner.store import Store
from versioner.store.integrity import check

URL = "https://news.example.org/2025/ferry"
STORY = "".join(
    f"<p>{p}</p>"
    for p in (
        "The harbour council voted on Tuesday to approve the first phase of the new ferry terminal.",
        "Residents of the old quarter had asked for a review of the traffic plan during the works.",
    )
)
BANNER = (
    '<div id="onetrust-consent-sdk"><p>We and our 842 partners store and access information on your device, '
    "such as cookies, and process personal data for personalised advertising.</p></div>"
)


def page(extra: str = "", title: str = "Council approves ferry terminal") -> bytes:
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><main><article><h1>{title}</h1>"
        f"{STORY}</article></main>{extra}</body></html>"
    ).encode()


def capture(raw: bytes, hours: int) -> Capture:
    return Capture(
        raw=raw, url=URL, fetched_at=T0 + timedelta(hours=hours), source=f"c{hours}", kind_hint="html"
    )


def archive(db, pages) -> None:
    store = Store(db)
    ingest_all(store, [capture(raw, i) for i, raw in enumerate(pages)])
    store.close()


def captures_json(db) -> list[dict]:
    return json.loads(versioner_text(db, "captures", URL, "--json").stdout)


def test_captures_lists_every_capture_with_status_reason_and_version(tmp_path):
    db = tmp_path / "v.db"
    archive(db, [page(), page(BANNER), page(title="Page not found")])
    rows = captures_json(db)
    assert [(c["status"], c["version"]) for c in rows] == [
        ("accepted", 1),
        ("accepted", 1),
        ("rejected", None),
    ]
    assert rows[2]["reason"].startswith("error page") and rows[0]["fetched_at"] == "2025-02-07T10:00:00Z"


def test_captures_prints_one_line_per_capture_for_people(tmp_path):
    db = tmp_path / "v.db"
    archive(db, [page(), page(title="Seite nicht gefunden")])
    lines = versioner_text(db, "captures", URL).stdout.splitlines()
    assert len(lines) == 2 and "rejected" in lines[1] and "nicht gefunden" in lines[1]


def test_reextract_changes_nothing_on_an_archive_made_by_the_same_rules(tmp_path):
    db = tmp_path / "v.db"
    archive(db, [page(), page(BANNER), page(title="Page not found"), page()])
    before = captures_json(db)
    report = json.loads(versioner_text(db, "reextract", "--json").stdout)
    assert (report["versions_added"], report["versions_merged_away"], report["captures_changed"]) == (0, 0, 0)
    assert captures_json(db) == before


def test_reextract_merges_away_a_false_version_made_by_older_rules(tmp_path, monkeypatch):
    db = tmp_path / "v.db"
    monkeypatch.setattr(html_extraction, "remove_overlays", lambda tree: [])  # the rules before overlays went
    archive(db, [page(), page(BANNER), page()])
    monkeypatch.undo()
    assert len(json.loads(versioner_text(db, "versions", URL, "--json").stdout)) == 3
    report = json.loads(versioner_text(db, "reextract", URL, "--json").stdout)
    assert (report["versions_merged_away"], report["versions_unchanged"]) == (2, 1)
    assert len(json.loads(versioner_text(db, "versions", URL, "--json").stdout)) == 1


def test_reextract_keeps_every_capture_and_text(tmp_path, monkeypatch):
    db = tmp_path / "v.db"
    monkeypatch.setattr(html_extraction, "remove_overlays", lambda tree: [])
    archive(db, [page(), page(BANNER)])
    monkeypatch.undo()
    store = Store(db)
    texts_before = store.db.execute("SELECT count(*) FROM texts").fetchone()[0]
    store.close()
    versioner_text(db, "reextract")
    store = Store(db)
    assert len(store.captures(1)) == 2
    assert store.db.execute("SELECT count(*) FROM texts").fetchone()[0] == texts_before
    store.close()


def test_reextract_of_an_unknown_article_is_a_clear_error(tmp_path):
    db = tmp_path / "v.db"
    archive(db, [page()])
    done = versioner_text(db, "reextract", "https://news.example.org/nothing", check=False)
    assert done.returncode == 1 and "no article" in done.stderr


def test_reextract_killed_at_random_moments_leaves_a_sound_archive_and_a_rerun_completes(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(html_extraction, "remove_overlays", lambda tree: [])
    old = tmp_path / "old.db"
    store = Store(old)
    for n in range(30):
        url = f"{URL}-{n}"
        pages = [page(), page(BANNER.replace("842", str(n))), page()]
        for i, raw in enumerate(pages):
            ingest_all(store, [Capture(raw, url, T0 + timedelta(hours=i), "old", "html")])
    store.close()
    monkeypatch.undo()
    clean, killed = tmp_path / "clean.db", tmp_path / "killed.db"
    shutil.copy(old, clean)
    shutil.copy(old, killed)
    started = time.monotonic()
    versioner_text(clean, "reextract")
    span = time.monotonic() - started
    rng = random.Random(13)
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-P", "-m", "versioner", "--db", str(killed), "reextract"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 0.9) * span)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        store = Store(killed)
        assert check(store) == []
        store.close()
    versioner_text(killed, "reextract")
    assert version_hashes(killed) == version_hashes(clean)


def version_hashes(db) -> dict[int, list[str]]:
    store = Store(db)
    try:
        return {a["id"]: [v.text_hash for v in store.versions(a["id"])] for a in store.articles(limit=1000)}
    finally:
        store.close()
