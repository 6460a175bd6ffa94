"""The scale report: a synthetic news archive grown to 1,000,000 articles, and what stays fast as it grows.

    python benchmarks/scale.py [--quick] [--articles N] [--keep DB]

The archive (benchmarks/scale_build.py) grows in ten slices; in each, a batch of new articles, changed
versions and unchanged re-captures goes through the real `ingest()` and is timed, so the ingest rate
of the last slice is compared with the first. Bytes per article and per version are measured on the
really ingested first block, beside a `git gc --aggressive` pack of the same texts (a file per article,
a commit per version, as NewsDiffs kept them). Warm page times (the median of five requests after a
first one, through the Flask test client) are taken after the first slice and the last: each must be
under 50 ms and must not grow with the archive. --quick builds a tenth (100,000 articles), for CI.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diff_bench import corpus_dir  # noqa: E402
from scale_build import RARE_WORD, SITES, Archive, corpus_text  # noqa: E402

from versioner.store import Store  # noqa: E402
from versioner.web import create_app  # noqa: E402

FULL = 1_000_000
SLICES = 10
SEED = 1_000  # articles really ingested first, then copied
NEW, CHANGED, SAME = 150, 100, 50  # captures of each slice's timed ingest
PAGE_TARGET_MS = 50
# a page "grows with the archive" when the last slice's time passes this multiple of the first's plus 2 ms
GROWTH = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the archive (100,000 articles)")
    parser.add_argument("--articles", type=int, help="the archive's size (default 1,000,000)")
    parser.add_argument("--keep", type=Path, help="build the archive in this file and keep it")
    args = parser.parse_args()
    from run import print_table  # the same table as the performance report

    with tempfile.TemporaryDirectory(prefix="versioner-scale-") as tmp:
        print_table(rows(corpus_dir(), Path(tmp), args.quick, args.articles, args.keep))
    return 0


def rows(
    corpus: Path, work: Path, quick: bool, articles: int | None = None, keep: Path | None = None
) -> list[tuple]:
    """The report's rows (figure, measured, baseline, ratio, target, PASS/MISS), as benchmarks/run.py has them."""
    if not corpus.is_dir():
        return [("scale report", f"no corpus at {corpus}", "", "", "", "SKIP")]
    total = articles or (FULL // 10 if quick else FULL)
    return _grow(corpus, work, keep or work / "scale.db", total)


def _grow(corpus: Path, work: Path, db: Path, total: int) -> list[tuple]:
    paragraphs, headlines = corpus_text(corpus)
    store = Store(db)
    archive = Archive(store, paragraphs, headlines)
    started = time.perf_counter()
    archive.ingest(archive.new_captures(SEED) + archive.change_captures(SEED // 2))
    archive.mark_seed()
    found = _storage(store, archive, work)
    rates, pages = [], {}
    for number in range(1, SLICES + 1):
        archive.copy_seed(max(0, total * number // SLICES - NEW - archive.articles))
        captures = archive.new_captures(NEW, rare=True) + archive.change_captures(CHANGED)
        captures += archive.same_captures(SAME)
        timed = time.perf_counter()
        archive.ingest(captures)
        rates.append(len(captures) / (time.perf_counter() - timed))
        print(  # progress, on stderr: the full build takes a while
            f"slice {number}: {archive.articles:,} articles, {rates[-1]:,.0f} captures/s, "
            f"{time.perf_counter() - started:,.0f} s",
            file=sys.stderr,
        )
        if number in (1, SLICES):
            pages[archive.articles] = _page_times(db, store)
    built = time.perf_counter() - started
    counts = {
        t: store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("captures", "versions")
    }
    store.close()
    (first_n, first), (last_n, last) = sorted(pages.items())
    return [
        (
            f"scale: archive of {last_n:,} articles",
            f"{counts['captures']:,} captures",
            f"{counts['versions']:,} versions",
            "",
            f"built in {built:,.0f} s",
            "",
        ),
        (
            f"ingest, slice {SLICES} of {SLICES}",
            f"{rates[-1]:,.0f} captures/s",
            f"slice 1: {rates[0]:,.0f}/s",
            f"{rates[-1] / rates[0]:.2f}x",
            ">= 0.8x the first",
            _verdict(rates[-1] >= 0.8 * rates[0]),
        ),
        *found,
        *(_page_row(name, first_n, first[name], last_n, last[name]) for name in last),
    ]


def _page_row(name: str, first_n: int, first: float | int, last_n: int, last: float | int) -> tuple:
    if isinstance(first, int) or isinstance(last, int):  # a status, not a time
        return (f"{name} at {last_n:,}", f"HTTP {last}", f"at {first_n:,}: HTTP {first}", "", "200", "MISS")
    return (
        f"{name} at {last_n:,}",
        f"{last:.1f} ms",
        f"at {first_n:,}: {first:.1f} ms",
        f"{last / first:.2f}x",
        f"< {PAGE_TARGET_MS} ms, flat",
        _verdict(last < PAGE_TARGET_MS and last <= GROWTH * first + 2),
    )


def _page_times(
    db: Path | str, store: Store, clock: Callable[[], float] = time.process_time, deep: int = 100
) -> dict[str, float | int]:
    """Warm milliseconds of each page: the median of five requests after a first one (or the status of
    a page that did not answer 200).

    Milliseconds of CPU (this process's, SQLite's included), not of the wall clock: on a machine that
    others share, a request's wall time is mostly its wait for a core, which says nothing of the page.
    The pages are read from a warm page cache, so a request waits for no disk either. A store whose
    work is done by a server passes a `clock` that counts the server's CPU too (benchmarks/stores.py),
    and an archive of fewer than 100 pages of articles its last page as the `deep` one.
    """
    changed = store.recent_versions(limit=1)[0]["article_id"]
    paths = {
        "home page": "/",
        "site filter": f"/?site={SITES[3]}",
        f"deep page (page {deep})": f"/?page={deep}",
        "article page": f"/articles/{changed}",
        "diff page": f"/articles/{changed}/diff",
        "search, common word": "/search?q=the",
        "search, rare word": f"/search?q={RARE_WORD}",
        "search, phrase": '/search?q="personal data"',
        "search, two words": "/search?q=data+Vertrag",
        "Atom feed": "/feed.atom",
        "API, articles": "/api/articles",
        "API, search": "/api/search?q=the",
    }
    client = create_app({"DATABASE": str(db), "TESTING": True}).test_client()
    found = {}
    for name, path in paths.items():
        timings = []
        for _ in range(6):
            started = clock()
            response = client.get(path)
            timings.append((clock() - started) * 1000)
        found[name] = statistics.median(timings[1:]) if response.status_code == 200 else response.status_code
    return found


def _storage(store: Store, archive: Archive, work: Path) -> list[tuple]:
    """Bytes per article and per version of the seed (really ingested), where they go, and git's pack."""
    articles = store.db.execute("SELECT count(*) FROM articles").fetchone()[0]
    versions = store.db.execute("SELECT count(*) FROM versions").fetchone()[0]
    tables = _bytes_by_table(store)
    ours = sum(tables.values())
    git = _git_pack(store, work / "git")
    found = [
        (
            f"bytes per article ({articles:,} articles)",
            f"{ours / articles:,.0f} B",
            f"git pack {git / articles:,.0f} B",
            f"{ours / git:.2f}x",
            "<= 2x git, all included",
            _verdict(ours <= 2 * git),
        ),
        (
            f"bytes per version ({versions:,} versions)",
            f"{ours / versions:,.0f} B",
            f"git pack {git / versions:,.0f} B",
            f"{ours / git:.2f}x",
            "",
            "",
        ),
    ]
    for name, size in sorted(tables.items(), key=lambda item: -item[1]):
        if size * 50 >= ours:  # what takes 2 % or more
            found.append((f"  {name}", f"{size / articles:,.0f} B/article", "", f"{size / ours:.0%}", "", ""))
    return found


def _bytes_by_table(store: Store) -> dict[str, int]:
    """Pages of each table with its indexes (SQLite's dbstat), the FTS5 index's shadow tables as one."""
    sizes: dict[str, int] = {}
    for name, size in store.db.execute(
        "SELECT coalesce(m.tbl_name, s.name), sum(s.pgsize) FROM dbstat s "
        "LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1"
    ).fetchall():
        key = "paragraphs_fts (full-text index)" if name.startswith("paragraphs_fts") else name
        sizes[key] = sizes.get(key, 0) + size
    return sizes


def _git_pack(store: Store, folder: Path) -> int:
    """Bytes of a git pack of every version's headline and text, a file per article and a commit per
    version in time order, after `git gc --aggressive` (one `git fast-import` stream builds it)."""
    folder.mkdir()
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    stream = []
    for mark, info in enumerate(
        sorted(
            (v for a in store.articles(limit=10**9) for v in store.versions(a["id"])),
            key=lambda v: (v.first_seen, v.article_id),
        ),
        start=1,
    ):
        content = f"{info.title}\n\n{store.with_text(info).text}".encode()
        message = f"article {info.article_id} version {info.n}".encode()
        stream += [
            b"commit refs/heads/main\n",
            f"committer bench <bench@example.org> {1_700_000_000 + mark} +0000\n".encode(),
            f"data {len(message)}\n".encode() + message + b"\n",
            f"M 644 inline article-{info.article_id}.txt\ndata {len(content)}\n".encode() + content + b"\n",
        ]
    subprocess.run(["git", "-C", str(folder), "fast-import", "--quiet"], input=b"".join(stream), check=True)
    subprocess.run(["git", "-C", str(folder), "gc", "--aggressive", "-q"], check=True)
    return sum(p.stat().st_size for p in (folder / ".git" / "objects" / "pack").glob("*.pack"))


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


if __name__ == "__main__":
    sys.exit(main())
