"""Blame and the research export over corpus series, each against a floor measured in the same run.

Blame of every article's latest version against decoding every version's text (what any blame must
read at least); the export of every version pair against the diff engine over the same pairs.
Prints figures; asserts nothing. `--quick`: three series.
"""

import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from helpers import CORPUS, corpus_series  # noqa: E402

from versioner.diff.engine import diff_versions  # noqa: E402
from versioner.insight.blame import blame  # noqa: E402
from versioner.insight.research_export import export  # noqa: E402
from versioner.insight.sentences import sentences  # noqa: E402
from versioner.store import Store  # noqa: E402
from versioner.versioning import ingest  # noqa: E402

SOURCES = ("wikipedia-revisions-en", "bundesgit-gesetze-de", "pga-versions")


def series(quick: bool) -> list[tuple[str, str]]:
    found = [
        (s, d.name) for s in SOURCES for d in sorted((CORPUS / s).iterdir()) if (d / "meta.json").is_file()
    ]
    return found[::8][:3] if quick else found


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS} (set VERSIONER_CORPUS)")
        return
    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        with store.batch():
            for source, name in series(quick):
                for capture in corpus_series(CORPUS, source, name):
                    ingest(store, capture)
                store.commit_if_due()
        store.close()
        store = Store(Path(tmp) / "bench.db")  # nothing decoded yet: every figure starts cold
        articles = store.articles(limit=10_000)
        versions = {a["id"]: store.versions(a["id"]) for a in articles}
        count = sum(len(v) for v in versions.values())
        pairs = [(a, b) for vs in versions.values() for a, b in zip(vs, vs[1:], strict=False)]
        decode = timed(lambda: [store.with_text(v) for vs in versions.values() for v in vs])
        store.close()
        store = Store(Path(tmp) / "bench.db")
        each = [timed(lambda a=a: blame(store, a)) for a in articles]
        texts = {(v.article_id, v.n): store.with_text(v) for vs in versions.values() for v in vs}

        def diff_all() -> None:
            for a, b in pairs:
                old, new = texts[a.article_id, a.n], texts[b.article_id, b.n]
                diff_versions(old.title, old.byline, old.text, new.title, new.byline, new.text)

        diffs = timed(diff_all)
        sentences.cache_clear()
        out = io.StringIO()
        exported = timed(lambda: export(store, out, "jsonl"))
        store.close()
    rows = [
        ("blame of every latest version", f"{sum(each):.2f} s", f"decoding every text {decode:.2f} s"),
        ("  slowest article", f"{max(each):.2f} s", ""),
        (
            "export, every pair with its edits",
            f"{len(pairs) / exported:.0f} pairs/s",
            f"diff engine {len(pairs) / diffs:.0f} pairs/s",
        ),
    ]
    print(f"{len(articles)} articles, {count} versions, {len(pairs)} version pairs")
    print(f"{'figure':36} {'measured':>14}  baseline")
    for figure, measured, baseline in rows:
        print(f"{figure:36} {measured:>14}  {baseline}")


if __name__ == "__main__":
    main()
