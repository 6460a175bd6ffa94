"""Load: concurrent readers on the web UI while another process ingests the corpus.

    python benchmarks/load.py [--clients 8] [--seconds 20] [--quick]

Starts `versioner serve` on 127.0.0.1 with a fresh database loaded with snapshots/, runs N client threads
requesting home, article and diff pages for a bounded time while a second process ingests series from
../shared/corpus (or VERSIONER_CORPUS), and prints requests per second, p50/p99 latency, the error count
and captures ingested per second. Traffic goes to loopback only. Errors must be zero.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("VERSIONER_CORPUS", ROOT.parent / "shared" / "corpus"))
VERSIONER = [sys.executable, "-m", "versioner"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args()
    seconds = 4 if args.quick else args.seconds
    with tempfile.TemporaryDirectory(prefix="versioner-load-") as tmp:
        figures = run(Path(tmp), args.clients, seconds)
    for name, value in figures.items():
        print(f"{name:28} {value}")
    sys.exit(1 if figures["errors"] else 0)


def run(tmp: Path, clients: int, seconds: float) -> dict:
    db = tmp / "load.db"
    subprocess.run(
        [*VERSIONER, "--db", str(db), "ingest", str(ROOT / "snapshots")],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [*VERSIONER, "--db", str(db), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base)
        paths = _paths(base)
        feed = _corpus_folder(tmp / "corpus")
        ingest = (
            subprocess.Popen(
                [*VERSIONER, "--db", str(db), "ingest", "--json", str(feed)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            if feed
            else None
        )
        started = time.monotonic()
        latencies, errors = _hammer(base, paths, clients, seconds)
        elapsed = time.monotonic() - started
        ingested = 0
        if ingest:
            out, _ = ingest.communicate(timeout=600)
            ingest_seconds = time.monotonic() - started
            ingested = json.loads(out)["captures"]
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies.sort()
    return {
        "clients": clients,
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "latency_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "latency_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
        "errors": errors,
        "captures_ingested": ingested,
        "captures_per_second": round(ingested / ingest_seconds, 1) if ingested else "no corpus: skipped",
    }


def _hammer(base: str, paths: list[str], clients: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds
    lock = threading.Lock()

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.monotonic()
            try:
                with urllib.request.urlopen(base + path, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, OSError):
                ok = False
            with lock:
                latencies.append(time.monotonic() - t0)
                errors[0] += not ok

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


def _paths(base: str) -> list[str]:
    with urllib.request.urlopen(base + "/api/articles") as response:
        listing = json.load(response)
    articles = listing if isinstance(listing, list) else listing.get("articles", [])
    paths = ["/"]
    for article in articles:
        paths.append(f"/articles/{article['id']}")
        if article["versions"] >= 2:
            paths.append(f"/articles/{article['id']}/diff/1..2")
    return paths


def _corpus_folder(folder: Path) -> Path | None:
    """Corpus series written as a snapshot folder with sidecars, for one ingest process."""
    source = CORPUS / "pga-versions"
    if not source.is_dir():
        print(f"corpus not found at {CORPUS}: measuring reads only", file=sys.stderr)
        return None
    for series in sorted(p for p in source.iterdir() if (p / "meta.json").exists()):
        meta = json.loads((series / "meta.json").read_text())
        for index, version in enumerate(meta["versions"]):
            target = folder / series.name / f"{index:03d}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(series / version["file"], target)
            at = version.get("captured_at") or f"2000-01-01T{index % 24:02d}:00:00Z"
            sidecar = {"url": f"https://load.example.org/{series.name}", "fetched_at": at}
            (folder / series.name / f"{index:03d}.txt.meta.json").write_text(json.dumps(sidecar))
    return folder


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(base: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main()
