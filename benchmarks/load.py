"""Load: concurrent readers on the web UI while another process ingests the corpus.

    python benchmarks/load.py [--clients 8] [--seconds 20] [--quick]

Starts `versioner serve` on 127.0.0.1 with a fresh database loaded with snapshots/, then runs N client
threads for a bounded time, requesting the home page, the article pages and each article's last diff in
both forms the app links (numbered, and the permalink that /diff/N..M redirects to; redirects are not
followed, so each request is timed alone), while a second process ingests every series of
../shared/corpus (or VERSIONER_CORPUS). Prints the machine, requests per second, p50/p99 latency overall
and per kind of page, the error count (any answer but 200/302, any connection failure) and captures
ingested per second. Traffic goes to loopback only. Errors must be zero: the exit status is 1 otherwise.
The wrk comparison of a diff page with a static file is benchmarks/read_path.py.
"""

import argparse
import json
import math
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("VERSIONER_CORPUS", ROOT.parent / "shared" / "corpus"))
VERSIONER = [sys.executable, "-P", "-m", "versioner"]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer of its own here, not a second request hidden in the first one's time."""

    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirects)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--quick", action="store_true", help="a short smoke run (4 seconds)")
    args = parser.parse_args()
    seconds = 4 if args.quick else args.seconds
    print(f"machine: {machine()}")
    print(f"command: python benchmarks/load.py --clients {args.clients} --seconds {seconds:g}")
    with tempfile.TemporaryDirectory(prefix="versioner-load-") as tmp:
        figures = run(Path(tmp), args.clients, seconds)
    for name, value in figures.items():
        print(f"{name:28} {value}")
    sys.exit(1 if figures["errors"] else 0)


def machine() -> str:
    """CPUs, CPU model, Python and SQLite: what the figures depend on."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    model = models[0] if models else platform.processor() or "unknown CPU"
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"


def run(tmp: Path, clients: int, seconds: float) -> dict:
    db = tmp / "load.db"
    ingest_folder(db, ROOT / "snapshots")
    server_log = tmp / "server.log"
    ingest = Ingest(db, corpus_folder(tmp / "corpus"))
    with serving(db, server_log) as base:
        paths = _paths(base)
        started = time.monotonic()
        ingest.start()
        samples = _hammer(base, paths, clients, seconds)
        elapsed = time.monotonic() - started
        ingest.join()
    errors = [s for s in samples if not s.ok]
    if errors:
        print("errors:", dict(Counter(s.outcome for s in errors)), file=sys.stderr)
        print(server_log.read_text(errors="replace")[-3000:], file=sys.stderr)
    figures = {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(samples),
        "requests_per_second": round(len(samples) / elapsed, 1),
        "latency_p50_ms": _percentile(samples, 50),
        "latency_p99_ms": _percentile(samples, 99),
    }
    for kind in ("home", "article", "diff", "permalink"):
        of_kind = [s for s in samples if s.kind == kind]
        figures[f"  {kind} p50/p99 ms"] = (
            f"{_percentile(of_kind, 50)} / {_percentile(of_kind, 99)} ({len(of_kind)})"
        )
    figures["errors"] = len(errors)
    figures.update(ingest.figures())
    return figures


def ingest_folder(db: Path, folder: Path) -> None:
    subprocess.run(
        [*VERSIONER, "--db", str(db), "ingest", str(folder)], check=True, cwd=ROOT, capture_output=True
    )


@contextmanager
def serving(db: Path, log_path: Path) -> Iterator[str]:
    """`versioner serve` on a free port of 127.0.0.1, its base URL while it runs."""
    port = _free_port()
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*VERSIONER, "--db", str(db), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


class Sample:
    __slots__ = ("kind", "seconds", "outcome", "ok")

    def __init__(self, kind: str, seconds: float, outcome: str):
        self.kind, self.seconds, self.outcome = kind, seconds, outcome
        self.ok = outcome in ("200", "302")  # the permalink redirect is the app's answer, not a failure


class Ingest:
    """`versioner ingest` of the corpus in its own process, timed from its start to its end."""

    def __init__(self, db: Path, folder: Path | None):
        self.db, self.folder = db, folder
        self.summary: dict | None = None
        self.seconds = 0.0
        self.failure = ""
        self._thread = threading.Thread(target=self._run)

    def start(self) -> None:
        if self.folder:
            self._thread.start()

    def join(self) -> None:
        if self.folder:
            self._thread.join()

    def _run(self) -> None:
        started = time.monotonic()
        done = subprocess.run(
            [*VERSIONER, "--db", str(self.db), "ingest", "--json", str(self.folder)],
            cwd=ROOT,
            capture_output=True,
        )
        self.seconds = time.monotonic() - started
        try:
            self.summary = json.loads(done.stdout)
        except json.JSONDecodeError:
            self.failure = done.stderr.decode(errors="replace")[-500:]

    def figures(self) -> dict:
        if not self.folder:
            return {"captures_ingested": 0, "captures_per_second": "no corpus: skipped"}
        if self.summary is None:
            return {"captures_ingested": 0, "captures_per_second": f"ingest failed: {self.failure}"}
        captures = self.summary["captures"]
        return {
            "captures_ingested": captures,
            "ingest_errors": len(self.summary["errors"]),
            "ingest_seconds": round(self.seconds, 1),
            "captures_per_second": round(captures / self.seconds, 1),
        }


def _hammer(base: str, paths: list[tuple[str, str]], clients: int, seconds: float) -> list[Sample]:
    samples: list[Sample] = []
    deadline = time.monotonic() + seconds
    lock = threading.Lock()

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < deadline:
            kind, path = paths[i % len(paths)]
            i += 1
            t0 = time.monotonic()
            try:
                with OPENER.open(base + path, timeout=60) as response:
                    response.read()
                    outcome = str(response.status)
            except urllib.error.HTTPError as err:
                outcome = str(err.code)
            except (urllib.error.URLError, OSError) as err:
                outcome = type(err).__name__
            with lock:
                samples.append(Sample(kind, time.monotonic() - t0, outcome))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def _paths(base: str) -> list[tuple[str, str]]:
    """What readers open: the home page, each article, and each article's last diff in both forms."""
    with urllib.request.urlopen(base + "/api/articles") as response:
        articles = json.load(response)["articles"]
    paths = [("home", "/")]
    for article in articles:
        paths.append(("article", f"/articles/{article['id']}"))
        if article["versions"] >= 2:
            n = article["versions"]
            paths.append(("diff", f"/articles/{article['id']}/diff?from={n - 1}&to={n}"))
            with urllib.request.urlopen(f"{base}/articles/{article['id']}/diff/{n - 1}..{n}") as response:
                paths.append(("permalink", response.url.removeprefix(base)))  # where the redirect led
    return paths


def _percentile(samples: list[Sample], percent: int) -> float | None:
    if not samples:
        return None
    ordered = sorted(s.seconds for s in samples)
    return round(ordered[max(0, math.ceil(len(ordered) * percent / 100) - 1)] * 1000, 1)


def corpus_folder(folder: Path) -> Path | None:
    """Every corpus series (laws, front pages, terms of service, ...) as a snapshot folder with sidecars."""
    series = sorted(meta.parent for meta in CORPUS.glob("*/*/meta.json"))
    if not series:
        print(f"corpus not found at {CORPUS}: measuring reads only", file=sys.stderr)
        return None
    for path in series:
        name = f"{path.parent.name}-{path.name}"
        for index, version in enumerate(json.loads((path / "meta.json").read_text())["versions"]):
            suffix = ".html" if version["file"].endswith((".html", ".htm")) else ".txt"
            target = folder / name / f"{index:03d}{suffix}"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path / version["file"], target)
            at = version.get("captured_at") or f"2000-01-01T{index % 24:02d}:00:00Z"
            sidecar = {"url": f"https://load.example.org/{name}", "fetched_at": at}
            (target.parent / f"{target.name}.meta.json").write_text(json.dumps(sidecar))
    return folder


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(base: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/about", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main()
