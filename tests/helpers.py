"""Helpers shared by the tests: captures made in code, corpus series read as captures, local servers."""

import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from versioner.capture import Capture
from versioner.store import Store
from versioner.versioning import ingest

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "snapshots"
CORPUS = Path(os.environ.get("VERSIONER_CORPUS", ROOT.parent / "shared" / "corpus"))
T0 = datetime(2025, 2, 7, 10, 0, tzinfo=UTC)


def versioner(
    db: Path, *args, stdin: bytes | None = None, check: bool = True, text: bool = False
) -> subprocess.CompletedProcess:
    """`python -m versioner --db DB ARGS...` in a real process; an AssertionError with its stderr on failure."""
    done = subprocess.run(
        [sys.executable, "-P", "-m", "versioner", "--db", str(db), *map(str, args)],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        text=text,
        timeout=300,
    )
    if check and done.returncode != 0:
        raise AssertionError(done.stderr if text else done.stderr.decode(errors="replace"))
    return done


def versioner_text(db: Path, *args, check: bool = True) -> subprocess.CompletedProcess:
    """versioner() with stdout and stderr as text."""
    return versioner(db, *args, check=check, text=True)


def text_capture(
    body: str, minutes: float = 0, url: str = "https://news.example.org/story", **extra
) -> Capture:
    """A plain-text capture fetched `minutes` after T0."""
    return Capture(
        raw=body.encode(),
        url=url,
        fetched_at=T0 + timedelta(minutes=minutes),
        source="test",
        kind_hint="text",
        **extra,
    )


def ingest_all(store: Store, captures) -> list:
    return [ingest(store, c) for c in captures]


def corpus_series(corpus: Path, source: str, name: str) -> list[Capture]:
    """A corpus series as captures, in file order, with capture times (or hourly ones where it has none)."""
    folder = corpus / source / name
    meta = json.loads((folder / "meta.json").read_text())
    captures = []
    for index, entry in enumerate(meta["versions"]):
        at = entry.get("captured_at")
        moment = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else T0 + timedelta(hours=index)
        raw = (folder / entry["file"]).read_bytes()
        kind = "html" if entry["file"].endswith(".html") else "text"
        captures.append(
            Capture(
                raw=raw,
                url=f"https://corpus.example.org/{source}/{name}",
                fetched_at=moment,
                source=entry["file"],
                kind_hint=kind,
            )
        )
    return captures


PARAGRAPHS = [
    "The council met on Tuesday evening to discuss the new harbour plan and its costs in detail.",
    "Residents had raised concerns about traffic and noise during the works over the summer months.",
    "The mayor said the first phase would begin in the spring of next year if the vote goes through.",
]


def article_html(title: str = "Council debates harbour plan", extra: str = "", head: str = "") -> str:
    paras = "".join(f"<p>{p} {extra}</p>" for p in PARAGRAPHS)
    return (
        f"<html><head><title>{title}</title>{head}</head><body><nav>Home | News</nav>"
        f"<article><h1>{title}</h1>{paras}</article></body></html>"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str) -> None:
    """Until a server just started answers at url (any status), for at most ten seconds."""
    for _ in range(200):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"nothing answers at {url}")
