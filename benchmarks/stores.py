"""SQLite and PostgreSQL side by side: ingest with 1, 2 and 4 parallel writers, and the scale report's pages.

    python benchmarks/stores.py [--quick]

Ingest: news-like captures (scale_build.Archive: the corpus's paragraphs, twenty sites) written as
snapshot files with .meta.json sidecars, one folder per writer, each file named for its fetch time. Each
writer has articles of its own, and a few articles are captured by every writer, as pollers on several
machines find the same stories. 1, 2 and 4 writer processes (benchmarks/stores_writer.py, which ingests
as `versioner ingest` does) take their folders at once into a new SQLite file, then into a new database
on a throwaway PostgreSQL server; the rate is every capture over the wall time from the start signal to
the last writer's end. Every run must store exactly what one sequential ingest of the same captures in
time order stores (each capture with its time, hash, status and version; each version with its text's
hash, title, times and captures), or its row is a MISS whatever its rate. PostgreSQL's writers must not
slow each other down: 4 writers at least as fast as one. SQLite has one writer at a time by design, so
its rows are figures.

Pages: one archive of news-like articles built by real ingest (Archive.ingest of new articles, changed
versions and unchanged re-captures) in each store, and the scale report's warm page times on both
(scale._page_times), PostgreSQL's with the CPU of its server's backends counted: each page under 50 ms
on PostgreSQL, SQLite's time beside it as the baseline. --quick: a few hundred articles, for CI.
"""

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import postgres_server  # noqa: E402
from diff_bench import corpus_dir  # noqa: E402
from scale import PAGE_TARGET_MS, _page_times  # noqa: E402
from scale_build import Archive, corpus_text  # noqa: E402

from versioner.capture import Capture  # noqa: E402
from versioner.store import Store  # noqa: E402
from versioner.store.postgres import close_pool  # noqa: E402
from versioner.web.pages import PER_PAGE  # noqa: E402

WRITER = Path(__file__).resolve().parent / "stores_writer.py"
WRITERS = (1, 2, 4)
SHARED_SHARE = 20  # one article in this many is captured by every writer
SHARED_CAPTURES = 8  # further captures of each shared article, dealt to the writers in turn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few hundred articles, for CI")
    args = parser.parse_args()
    from run import print_table  # the same table as the performance report

    with tempfile.TemporaryDirectory(prefix="versioner-stores-") as tmp:
        print_table(rows(corpus_dir(), Path(tmp), args.quick))
    return 0


def rows(corpus: Path, work: Path, quick: bool) -> list[tuple]:
    """The report's rows (figure, measured, baseline, ratio, target, PASS/MISS), as benchmarks/run.py has them."""
    if not corpus.is_dir():
        return [("stores", f"no corpus at {corpus}", "", "", "", "SKIP")]
    if reason := postgres_server.missing():
        return [("stores: SQLite and PostgreSQL", reason, "", "", "", "SKIP")]
    paragraphs, headlines = corpus_text(corpus)
    with postgres_server.cluster() as server:
        found = _ingest_rows(server, work, paragraphs, headlines, articles=60 if quick else 800)
        return found + _page_rows(server, work, paragraphs, headlines, articles=200 if quick else 3_000)


# --- ingest with parallel writers ---------------------------------------------------------------


def _ingest_rows(
    server: str, work: Path, paragraphs: list[str], headlines: list[str], articles: int
) -> list[tuple]:
    reference = work / "sequential.db"
    archive = Archive(Store(reference), paragraphs, headlines, rng=random.Random(19))
    captures, shared = _writer_captures(archive, articles)
    archive.ingest(sorted(captures, key=lambda c: c.fetched_at))
    archive.store.close()
    expected = _stored(str(reference))
    found, checks = [], []
    for name in ("SQLite", "PostgreSQL"):
        rates, cpus = {}, {}
        for writers in WRITERS:
            folders = _writer_folders(work / f"{name}-{writers}", captures, shared, writers)
            db = str(work / f"{writers}.db") if name == "SQLite" else postgres_server.fresh_database(server)
            rates[writers], cpus[writers], problem = _run_writers(db, folders, len(captures))
            problem = problem or _difference(expected, _stored(db))
            close_pool(db)
            checks.append(problem)
            ratio = rates[writers] / rates[1] if rates[1] else 0.0
            _progress(f"{name}, {writers} writers: {rates[writers]:,.0f} captures/s {problem}")
            if name == "SQLite":  # one writer at a time by design: a figure, unless it lost something
                target, verdict = "one writer at a time", "MISS" if problem else ""
            elif writers == max(WRITERS):
                target, verdict = ">= 1.0x 1 writer", _verdict(ratio >= 1.0 and not problem)
            else:
                target, verdict = "", "MISS" if problem else ""
            found.append(
                (
                    f"ingest, {name}, {writers} writer{'s' if writers > 1 else ''}",
                    problem or f"{rates[writers]:,.0f} captures/s on {cpus[writers]:.1f} CPUs",
                    f"1 writer: {rates[1]:,.0f}/s on {cpus[1]:.1f}",
                    f"{ratio:.2f}x",
                    target,
                    verdict,
                )
            )
    versions = sum(len(v) for _, v in expected.values())
    same = sum(1 for problem in checks if not problem)
    found.append(
        (
            "  stored as a sequential ingest",
            f"{same} of {len(checks)} runs",
            f"{len(captures):,} captures, {versions:,} versions",
            "",
            "every run",
            _verdict(same == len(checks)),
        )
    )
    return found


def _writer_captures(archive: Archive, articles: int) -> tuple[list[Capture], set[str]]:
    """News-like captures of `articles` articles: each first capture, changes and unchanged re-captures
    of any of them, and more of both for the shared articles (one in SHARED_SHARE); and the shared URLs."""
    captures = archive.new_captures(articles)
    everyone = list(archive.urls)
    shared = sorted(everyone[::SHARED_SHARE])
    extra = len(shared) * SHARED_CAPTURES // 2
    for draw, urls, count in (
        (archive.change_captures, everyone, articles // 2),
        (archive.same_captures, everyone, articles // 4),
        (archive.change_captures, shared, extra),
        (archive.same_captures, shared, extra),
    ):
        archive.urls = list(urls)  # where the call draws its articles from
        captures += draw(count)  # a second apart, from the archive's clock on
        captures += archive.new_captures(count // 60 + 1)  # the clock moves on: no article twice in a second
    return captures, set(shared)


def _writer_folders(folder: Path, captures: list[Capture], shared: set[str], writers: int) -> list[Path]:
    """Snapshot folders of `writers` writers: an article's captures go to one writer, a shared article's
    to each in turn. Files are named for their fetch time, so each writer ingests in time order."""
    folders = [folder / f"writer-{n}" for n in range(writers)]
    for path in folders:
        path.mkdir(parents=True)
    owner: dict[str, int] = {}
    turns: dict[str, int] = {}
    for index, capture in enumerate(captures):
        if capture.url in shared:
            turns[capture.url] = writer = (turns.get(capture.url, -1) + 1) % writers
        else:
            writer = owner.setdefault(capture.url, len(owner) % writers)
        at = capture.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        path = folders[writer] / f"{at.replace(':', '-')}-{index:06d}.txt"
        path.write_bytes(capture.raw)
        (path.parent / f"{path.name}.meta.json").write_text(
            json.dumps({"url": capture.url, "fetched_at": at})
        )
    return folders


def _run_writers(db: str, folders: list[Path], expected: int) -> tuple[float, float, str]:
    """Captures per second of one writer process per folder, started together; the CPUs they kept busy
    meanwhile (theirs and their server processes'); and what went wrong, if anything (a writer that
    failed, a file not stored)."""
    Store(db).close()  # the schema exists before the writers start, as on a deployed database
    logs = [folder.with_suffix(".log") for folder in folders]
    processes = [
        subprocess.Popen(
            [sys.executable, str(WRITER), db, str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log.open("w"),
            text=True,
        )
        for folder, log in zip(folders, logs, strict=True)
    ]
    for process in processes:
        process.stdout.readline()  # "ready": imported, connected
    server = _server_seconds(db)
    server_before, started = server(), time.perf_counter()
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    summaries = [process.stdout.readline() for process in processes]
    elapsed, server_seconds = time.perf_counter() - started, server() - server_before
    for process in processes:
        process.stdin.close()
        process.wait()
    if failed := [log for log, process in zip(logs, processes, strict=True) if process.returncode]:
        return 0.0, 0.0, f"writer failed: {failed[0].read_text().strip().splitlines()[-1:]}"
    summaries = [json.loads(line) for line in summaries]
    if errors := [e for s in summaries for e in s["errors"]]:
        return 0.0, 0.0, f"{len(errors)} errors, first: {errors[0]['error']}"
    stored = sum(s["captures"] for s in summaries)
    if stored != expected:
        return 0.0, 0.0, f"{stored} of {expected} captures ingested"
    cpu = sum(s["cpu_seconds"] for s in summaries) + server_seconds
    return stored / elapsed, cpu / elapsed, ""


def _stored(db: str) -> dict[str, tuple]:
    """What a store holds, by URL: each capture (time, raw hash, status, version) and each version (text
    hash, title, times, captures, revert): what a run must agree on with a sequential one."""
    store = Store(db)
    found, after = {}, 0
    while ids := store.article_ids(after):
        for article_id in ids:
            found[store.article(article_id)["url"]] = (
                [
                    (c["fetched_at"], c["raw_hash"], c["status"], c["version"])
                    for c in store.captures(article_id)
                ],
                [
                    (v.n, v.text_hash, v.title, v.first_seen, v.last_seen, v.capture_count, v.revert_of)
                    for v in store.versions(article_id)
                ],
            )
        after = ids[-1]
    store.close()
    return found


def _difference(expected: dict[str, tuple], stored: dict[str, tuple]) -> str:
    """How a run's archive differs from the sequential one's, or '' where it does not."""
    differ = sorted(url for url in expected.keys() | stored.keys() if expected.get(url) != stored.get(url))
    return f"{len(differ)} of {len(expected)} articles differ, e.g. {differ[0]}" if differ else ""


# --- page times ---------------------------------------------------------------------------------


def _page_rows(
    server: str, work: Path, paragraphs: list[str], headlines: list[str], articles: int
) -> list[tuple]:
    """One archive by real ingest in both stores, and each page's warm CPU time on both."""
    databases = {"SQLite": str(work / "pages.db"), "PostgreSQL": postgres_server.fresh_database(server)}
    stores = {name: Store(db) for name, db in databases.items()}
    archive = Archive(stores["SQLite"], paragraphs, headlines, rng=random.Random(20))
    captures = archive.new_captures(articles, rare=True) + archive.change_captures(articles // 2)
    captures += archive.same_captures(articles // 6)
    pages, rates = {}, {}
    for name, db in databases.items():
        archive.store = stores[name]
        started = time.perf_counter()
        archive.ingest(captures)
        rates[name] = len(captures) / (time.perf_counter() - started)
        _progress(f"{name}: pages' archive of {articles:,} articles, {rates[name]:,.0f} captures/s")
        server = _server_seconds(db)

        def clock(server=server) -> float:
            """A page is worked out in the app and, on PostgreSQL, in its server's process too."""
            return time.process_time() + server()

        pages[name] = _page_times(db, archive.store, clock, deep=min(100, -(-articles // PER_PAGE)))
        archive.store.close()
        close_pool(db)
    sqlite, postgres = pages["SQLite"], pages["PostgreSQL"]
    return [
        (
            f"pages' archive: {articles:,} articles, 1 writer",
            f"PostgreSQL {rates['PostgreSQL']:,.0f} captures/s",
            f"SQLite {rates['SQLite']:,.0f}/s",
            f"{rates['PostgreSQL'] / rates['SQLite']:.2f}x",
            f"{len(captures):,} captures",
            "",
        ),
        *(_page_row(name, postgres[name], sqlite[name]) for name in postgres),
    ]


def _page_row(name: str, postgres: float | int, sqlite: float | int) -> tuple:
    if isinstance(postgres, int) or isinstance(sqlite, int):  # a status, not a time
        return (f"{name}, PostgreSQL", f"HTTP {postgres}", f"SQLite: HTTP {sqlite}", "", "200", "MISS")
    return (
        f"{name}, PostgreSQL",
        f"{postgres:.1f} ms",
        f"SQLite {sqlite:.1f} ms",
        f"{postgres / sqlite:.2f}x",
        f"< {PAGE_TARGET_MS} ms",
        _verdict(postgres < PAGE_TARGET_MS),
    )


def _server_seconds(db: str) -> Callable[[], float]:
    """A clock of the CPU seconds of the PostgreSQL server's processes that serve this database (none
    for an SQLite file, whose work is done in the process that asks).

    Those processes are the server's children whose title names the user and the database (an
    autovacuum worker's does not); /proc/PID/schedstat counts their CPU in nanoseconds.
    """
    found = re.fullmatch(r"postgresql://(\w+)@[\d.]+:(\d+)/(\w+)", db)
    if not found:
        return lambda: 0.0
    user, port, database = found.groups()
    postmaster = next(  # started by postgres_server.cluster() with -p PORT
        p.name
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and f"\0-p\0{port}\0" in _read(p / "cmdline")
    )

    def clock() -> float:
        seconds = 0.0
        for pid in _read(Path(f"/proc/{postmaster}/task/{postmaster}/children")).split():
            if _read(Path(f"/proc/{pid}/cmdline")).startswith(f"postgres: {user} {database} "):
                seconds += int((_read(Path(f"/proc/{pid}/schedstat")) or "0").split()[0]) / 1e9
        return seconds

    return clock


def _progress(line: str) -> None:
    """On stderr, as the scale report's: a full run takes a while."""
    print(line, file=sys.stderr, flush=True)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:  # a process that ended meanwhile
        return ""


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


if __name__ == "__main__":
    sys.exit(main())
