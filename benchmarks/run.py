"""One report of versioner's performance targets, each figure beside a baseline measured in the same run.

    python benchmarks/run.py [--quick]

Rows: storage of version history against a `git gc --aggressive` pack of the same versions, and the
bound general-purpose compression sets (one solid xz archive of the same texts); the time to read any
version; raw-capture deduplication; ingest throughput of plain-text snapshots, and whether it holds as
the archive grows to thousands of articles; ingest of HTML against extraction alone; diff time against
difflib (benchmarks/diff_bench.py); the first render of a 20,000-word diff page, its diff not computed
yet (benchmarks/diff_render.py); the reading path of an article with 500 versions; diff permalinks
against a static file of the same server under wrk (benchmarks/read_path.py); the scale report
(benchmarks/scale.py); ingest with 1, 2 and 4 parallel writers and the scale report's page times on
SQLite and PostgreSQL (benchmarks/stores.py); false versions and missed changes on ground truth and on
overlay and soft-404 pages (benchmarks/change_detection.py). Nothing is hard-coded: every figure is
measured here. Series come from ../shared/corpus (or VERSIONER_CORPUS); rows that need it say so when
it is absent. --quick runs a subset for CI smoke runs.
"""

import argparse
import json
import lzma
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from change_detection import rows as change_detection  # noqa: E402
from diff_bench import corpus_dir, figures  # noqa: E402
from diff_render import rows as diff_render  # noqa: E402
from read_path import wrk_rows  # noqa: E402
from scale import rows as scale  # noqa: E402
from stores import rows as stores  # noqa: E402

from versioner.capture import Capture  # noqa: E402
from versioner.extract.html import extract  # noqa: E402
from versioner.extract.normalize import normalise  # noqa: E402
from versioner.store import Store  # noqa: E402
from versioner.versioning import ingest  # noqa: E402

T0 = datetime(2025, 1, 1, tzinfo=UTC)
STORAGE_SOURCES = ("pga-versions", "bundesgit-gesetze-de", "ota-france-versions-fr", "wikipedia-revisions-en")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a subset, for a smoke run")
    args = parser.parse_args()
    corpus = corpus_dir()
    rows: list[tuple] = []
    with tempfile.TemporaryDirectory(prefix="versioner-bench-") as tmp:
        work = Path(tmp)
        for number, measure in enumerate(
            (
                storage,
                news_storage,
                plain_ingest,
                ingest_at_scale,
                html_ingest,
                diffs,
                diff_render,
                reading_path,
                read_path,
                scale,
                stores,
                change_detection,
            )
        ):
            own = work / f"{number:02d}"  # each measure its own folder: none finds another's files
            own.mkdir()
            rows += measure(corpus, own, args.quick)
    print_table(rows)
    return 0


def storage(corpus: Path, work: Path, quick: bool) -> list[tuple]:
    """Version texts as stored against a git pack of the same versions; time to read any version.

    Both hold every series at once, as a newsroom archive would (NewsDiffs kept one git repository for
    all articles): one versioner database, and one git repository with a file per article and a commit
    per version, in time order.
    """
    series = [s for source in STORAGE_SOURCES for s in _series(corpus / source)]
    if not series:
        return [("storage of version history", "no corpus", "", "", "<= 0.6x git", "SKIP")]
    series = series[::6] if quick else series
    captures = [(at, folder.name, file) for folder, versions in series for file, at in versions]
    captures.sort()
    db = work / "storage.db"
    store = Store(db)
    raw_in = 0
    with store.batch():
        for n, (at, name, file) in enumerate(captures):
            raw = file.read_bytes()
            url = f"https://bench.example.org/{name}"
            raw_in += len(raw)
            ingest(store, Capture(raw, url, at, "bench", "text"))
            if n % 3 == 0:  # every third version fetched twice: the same bytes must be kept once
                raw_in += len(raw)
                ingest(store, Capture(raw, url, at + timedelta(minutes=5), "bench", "text"))
            store.commit_if_due()
    stored = [
        store.version(a["id"], v.n) for a in store.articles(limit=10_000) for v in store.versions(a["id"])
    ]
    ours = store.db.execute("SELECT sum(length(data)) FROM texts").fetchone()[0]
    ours += sum(len(v.title.encode()) for v in stored)
    raw_stored = store.db.execute("SELECT sum(length(data)) FROM raw_blobs").fetchone()[0]
    search_index = _search_index_size(store)
    text_bytes = sum(len(v.title.encode()) + len(v.text.encode()) for v in stored)
    store.close()
    git = _git_pack_size(work / "git", sorted(stored, key=lambda v: (v.first_seen, v.article_id)))
    solid = _solid_archive_size(stored)
    read_ms = []
    for v in random.Random(3).sample(stored, min(len(stored), 60 if quick else 300)):
        cold = Store(db)  # nothing decoded yet: the whole chain of bases is read
        started = time.perf_counter()
        cold.version(v.article_id, v.n)
        read_ms.append((time.perf_counter() - started) * 1000)
        cold.close()
    ratio = ours / git
    slowest = max(read_ms)
    return [
        (
            "storage of version history",
            _kb(ours),
            f"git pack {_kb(git)}",
            f"{ratio:.2f}x",
            "<= 0.6x git",
            _verdict(ratio <= 0.6),
        ),
        (
            "  bound: one solid xz archive",
            _kb(solid),
            f"git pack {_kb(git)}",
            f"{solid / git:.2f}x",
            "no random access",
            "",
        ),
        (
            "  search index (not in the above)",
            _kb(search_index) if search_index else "no dbstat here",
            f"version texts {_kb(text_bytes)}",
            f"{search_index / text_bytes:.2f}x" if search_index else "",
            "each paragraph once",
            "",
        ),
        (
            "read any version (max)",
            f"{slowest:.2f} ms",
            f"median {statistics.median(read_ms):.2f} ms",
            "",
            "< 5 ms",
            _verdict(slowest < 5),
        ),
        (
            "raw captures stored",
            _kb(raw_stored),
            f"raw bytes {_kb(raw_in)}",
            f"{raw_stored / raw_in:.2f}x",
            "repeats kept once",
            _verdict(raw_stored < raw_in / 2),
        ),
    ]


def news_storage(corpus: Path, work: Path, quick: bool) -> list[tuple]:
    """The news case: a 3,300-word article corrected a word at a time, 30 times (the issue's example)
    and 300 times (a live page polled for days, where chains of bases fill up), against git."""
    return [_edited_article(work, edits) for edits in ((30,) if quick else (30, 300))]


def _edited_article(work: Path, edits: int) -> tuple:
    rng = random.Random(2)
    paragraphs = [_sentence(rng, 60) for _ in range(55)]
    store = Store(work / f"news-{edits}.db")
    for n in range(edits):
        words = paragraphs[index := rng.randrange(55)].split()
        words[rng.randrange(len(words))] = rng.choice(WORDS)
        paragraphs[index] = " ".join(words)
        body = "A story corrected word by word\n\n" + "\n\n".join(paragraphs)
        ingest(
            store,
            Capture(body.encode(), "https://bench.example.org/news", T0 + timedelta(minutes=n), "b", "text"),
        )
    ours = store.db.execute("SELECT sum(length(data)) FROM texts").fetchone()[0]
    versions = [store.with_text(v) for v in store.versions(1)]
    store.close()
    git = _git_pack_size(work / f"git-news-{edits}", versions)
    return (
        f"storage, {edits} small edits of one article",
        _kb(ours),
        f"git pack {_kb(git)}",
        f"{ours / git:.2f}x",
        "<= 0.6x git",
        _verdict(ours <= 0.6 * git),
    )


def plain_ingest(corpus: Path, work: Path, quick: bool) -> list[tuple]:
    """Plain-text snapshots of many articles, in time order: changes and unchanged captures mixed."""
    captures = _synthetic_captures(articles=100 if quick else 300, per_article=10)
    extraction, elapsed = _extraction_and_ingest_seconds(captures, work / "plain.db")
    rate = len(captures) / elapsed
    return [
        (
            "ingest, plain text, diffs included",
            f"{rate:,.0f} captures/s",
            f"extraction alone {len(captures) / extraction:,.0f}/s",
            f"{elapsed / extraction:.1f}x",
            ">= 2,000/s",
            _verdict(rate >= 2000),
        )
    ]


def ingest_at_scale(corpus: Path, work: Path, quick: bool) -> list[tuple]:
    """Ingest as the archive grows: the last captures into a database of many articles against the first.

    Two captures an article, article after article, so both ends see the same mix of new articles,
    changes and unchanged copies; a query that scans what is stored shows as a falling ratio.
    """
    articles, sample = (4_000, 1_000) if quick else (20_000, 2_000)
    captures = sorted(
        _synthetic_captures(articles=articles, per_article=2),
        key=lambda c: (int(c.url.rsplit("/", 1)[1]), c.fetched_at),
    )
    store = Store(work / "scale.db")
    marks = {}
    with store.batch():
        for index, capture in enumerate(captures):
            if index in (0, sample, len(captures) - sample):
                marks[index] = time.perf_counter()
            ingest(store, capture)
            store.commit_if_due()
        first = marks[sample] - marks[0]
        last = time.perf_counter() - marks[len(captures) - sample]
    store.close()
    return [
        (
            f"ingest, last {sample:,} of {len(captures):,} captures",
            f"{sample / last:,.0f} captures/s",
            f"first {sample:,}: {sample / first:,.0f}/s",
            f"{first / last:.2f}x",
            ">= 0.8x the first",
            _verdict(first / last >= 0.8),
        )
    ]


def html_ingest(corpus: Path, work: Path, quick: bool) -> list[tuple]:
    """HTML captures, where trafilatura runs: the whole ingest against extraction alone."""
    pages = [(folder, versions) for folder, versions in _series(corpus / "ota-genai-eu-html")]
    pages += _series(corpus / "frontpage-html-de")
    if not pages:
        return [("ingest, HTML", "no corpus", "", "", "<= 1.2x extraction", "SKIP")]
    captures = [
        Capture(file.read_bytes(), f"https://bench.example.org/{folder.name}", at, "bench", "html")
        for folder, versions in pages
        for file, at in (versions[:3] if quick else versions)
    ]
    extraction, elapsed = _extraction_and_ingest_seconds(captures, work / "html.db")
    ratio = elapsed / extraction
    return [
        (
            "ingest, HTML",
            f"{len(captures) / elapsed:.1f} captures/s",
            f"extraction alone {len(captures) / extraction:.1f}/s",
            f"{ratio:.2f}x",
            "<= 1.2x extraction",
            _verdict(ratio <= 1.2),
        )
    ]


def diffs(corpus: Path, work: Path, quick: bool) -> list[tuple]:
    found = figures(corpus, quick=quick)
    if "skipped" in found:
        return [("diff per version pair", found["skipped"], "", "", "median < 5 ms", "SKIP")]
    fast, difflib = found["fast"], found["difflib"]
    return [
        (
            f"diff median ({found['pairs']} pairs)",
            f"{fast['median_ms']:.2f} ms",
            f"difflib {difflib['median_ms']:.2f} ms",
            f"{fast['median_ms'] / difflib['median_ms']:.2f}x",
            "< 5 ms, < difflib",
            _verdict(fast["median_ms"] < 5 and fast["median_ms"] < difflib["median_ms"]),
        ),
        (
            "diff p99",
            f"{fast['p99_ms']:.1f} ms",
            f"difflib {difflib['p99_ms']:.1f} ms",
            f"{fast['p99_ms'] / difflib['p99_ms']:.2f}x",
            "< 20 ms",
            _verdict(fast["p99_ms"] < 20),
        ),
    ]


def reading_path(corpus: Path, work: Path, quick: bool) -> list[tuple]:
    """An article with 500 versions: open it, list its versions, show any version, from a cold store."""
    db = work / "long.db"
    store = Store(db)
    rng = random.Random(5)
    paragraphs = [_sentence(rng, 60) for _ in range(20)]
    with store.batch():
        for n in range(500):
            paragraphs[rng.randrange(len(paragraphs))] = _sentence(rng, 60)
            body = "Live: the long story\n\n" + "\n\n".join(paragraphs)
            ingest(
                store,
                Capture(
                    body.encode(), "https://bench.example.org/long", T0 + timedelta(minutes=n), "b", "text"
                ),
            )
            store.commit_if_due()
    store.close()
    timings = {"open article": [], "list versions": [], "show a version": []}
    for n in rng.sample(range(1, 501), 10 if quick else 40):
        cold = Store(db)
        for name, call in (
            ("open article", lambda s: s.article("https://bench.example.org/long")),
            ("list versions", lambda s: s.versions(1)),
            ("show a version", lambda s, n=n: s.version(1, n)),
        ):
            started = time.perf_counter()
            call(cold)
            timings[name].append((time.perf_counter() - started) * 1000)
        cold.close()
    return [
        (
            f"{name}, 500 versions (max)",
            f"{max(ms):.2f} ms",
            f"median {statistics.median(ms):.2f} ms",
            "",
            "< 20 ms",
            _verdict(max(ms) < 20),
        )
        for name, ms in timings.items()
    ]


def read_path(corpus: Path, work: Path, quick: bool) -> list[tuple]:
    """Diff permalinks against a static file of the same server under wrk (benchmarks/read_path.py)."""
    return wrk_rows(quick)


def _extraction_and_ingest_seconds(captures: list[Capture], db: Path) -> tuple[float, float]:
    """Seconds for extraction alone, then for the whole ingest of the same captures into a new database."""
    timings = []
    for _ in range(2):  # the first pass fills trafilatura's caches, which the ingest then finds warm too
        started = time.perf_counter()
        for capture in captures:
            normalise(extract(capture.raw, capture.kind_hint), "bench.example.org")
        timings.append(time.perf_counter() - started)
    extraction = timings[-1]
    store = Store(db)
    started = time.perf_counter()
    with store.batch():
        for capture in captures:
            ingest(store, capture)
            store.commit_if_due()
    elapsed = time.perf_counter() - started
    store.close()
    return extraction, elapsed


def _series(source: Path) -> list[tuple[Path, list[tuple[Path, datetime]]]]:
    if not source.is_dir():
        return []
    found = []
    for folder in sorted(p for p in source.iterdir() if (p / "meta.json").exists()):
        meta = json.loads((folder / "meta.json").read_text())
        versions, seen = [], set()
        for index, entry in enumerate(meta["versions"]):
            at = entry.get("captured_at")
            moment = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else T0 + timedelta(hours=index)
            while moment in seen:
                moment += timedelta(seconds=1)
            seen.add(moment)
            versions.append((folder / entry["file"], moment))
        found.append((folder, versions))
    return found


def _synthetic_captures(articles: int, per_article: int) -> list[Capture]:
    """News-like plain-text captures: about one in four changes a paragraph, the rest are unchanged."""
    rng = random.Random(1)
    captures = []
    for a in range(articles):
        paragraphs = [_sentence(rng, 60) for _ in range(12)]
        for c in range(per_article):
            if c and rng.random() < 0.25:
                paragraphs[rng.randrange(12)] = _sentence(rng, 60)
            body = f"Headline of story {a}\n\n" + "\n\n".join(paragraphs)
            moment = T0 + timedelta(minutes=10 * c, seconds=a)
            captures.append(Capture(body.encode(), f"https://bench.example.org/{a}", moment, "bench", "text"))
    captures.sort(key=lambda c: c.fetched_at)
    return captures


WORDS = (
    "the council harbour plan vote mayor said on Tuesday after residents raised concerns about traffic "
    "noise works first phase spring next year opposition members asked for review costs final expected "
    "before end of month police fire ferry storm power homes"
).split()


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _git_pack_size(folder: Path, versions: list) -> int:
    """Bytes of the pack holding these versions (a file per article, a commit per version), after gc."""
    folder.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)

    git("init", "-q")
    for version in versions:
        (folder / f"article-{version.article_id}.txt").write_text(f"{version.title}\n\n{version.text}")
        git("add", "-A")
        git(
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@example.org",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            f"article {version.article_id} version {version.n}",
        )
    git("gc", "--aggressive", "-q")
    return sum(p.stat().st_size for p in (folder / ".git" / "objects" / "pack").glob("*.pack"))


def _search_index_size(store: Store) -> int | None:
    """Pages of the full-text index's tables and their indexes; None where SQLite lacks `dbstat`."""
    try:
        return store.db.execute(
            """SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'paragraphs%' OR name = 'text_paragraphs'
               OR name = 'sqlite_autoindex_paragraphs_1'"""
        ).fetchone()[0]
    except sqlite3.OperationalError:
        return None


def _solid_archive_size(versions: list) -> int:
    """Bytes of every distinct version text, article by article, in one `xz -9e` stream.

    A bound, not a rival: a compressor that sees the whole collection at once and need not read any
    version on its own is about as small as general-purpose compression of this history gets.
    """
    texts = dict.fromkeys(
        f"{v.title}\n\n{v.text}".encode() for v in sorted(versions, key=lambda v: (v.article_id, v.n))
    )
    return len(lzma.compress(b"".join(texts), preset=9 | lzma.PRESET_EXTREME))


def _kb(size: int) -> str:
    return f"{size / 1024:,.1f} KB" if size < 10_240 else f"{size / 1024:,.0f} KB"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_table(rows: list[tuple]) -> None:
    header = ("figure", "measured", "baseline", "ratio", "target", "")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(6)]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
