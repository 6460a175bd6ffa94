"""A long diff page's first render: the diff of a 20,000-word document computed and its page rendered.

    python benchmarks/diff_render.py [--quick]

The document is YouTube's community guidelines as the Platform Governance Archive keeps them
(pga-versions), the longest policy of the corpus: twelve versions of 21,800 to 22,700 words, with real
edits between them. They are ingested in time order, which computes each change against the version before, as ingest always does. Nothing
has computed any other pair, so those are what a reader can ask for cold: each version against the
one two before it, and the first against the last. Each is the first GET of its permalink, in an app
whose templates are already compiled: the diff computed (a miss in the diff cache) and kept, and the
page's HTML, uncompressed. Baseline: the same page rendered by a fresh app once the diff is cached.
"""

import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diff_bench import corpus_dir  # noqa: E402

from versioner.capture import Capture  # noqa: E402
from versioner.store import Store  # noqa: E402
from versioner.versioning import ingest  # noqa: E402
from versioner.web import create_app  # noqa: E402

SERIES = "pga-versions/youtube-community-guidelines-md"
VERSIONS = 12
TARGET_MS = 200
URL = "https://bench.example.org/youtube-community-guidelines"


def rows(corpus: Path, work: Path, quick: bool) -> list[tuple]:
    """The report's row: (figure, measured, baseline, ratio, target, verdict)."""
    folder = corpus / SERIES
    if not (folder / "meta.json").exists():
        return [("diff page first render, 20,000 words", "no corpus", "", "", f"< {TARGET_MS} ms", "SKIP")]
    db = work / "render.db"
    article_id, words = _ingest(folder, db)
    pairs = [(1, VERSIONS), *((n, n + 2) for n in range(1, VERSIONS - 1))]
    pairs = pairs[:4] if quick else pairs
    cold = _first_renders(db, article_id, pairs)
    warm = _first_renders(
        db, article_id, pairs
    )  # a fresh app again: the page is rendered, the diff read from the cache
    worst = max(cold)
    return [
        (
            f"diff page first render, {min(words):,}+ words (max of {len(pairs)} pairs)",
            f"{worst:.0f} ms",
            f"diff cached {max(warm):.0f} ms",
            f"{worst / max(warm):.1f}x",
            f"< {TARGET_MS} ms",
            "PASS" if worst < TARGET_MS else "MISS",
        ),
        (
            "  median of those pairs",
            f"{statistics.median(cold):.0f} ms",
            f"diff cached {statistics.median(warm):.0f} ms",
            "",
            "",
            "",
        ),
    ]


def _ingest(folder: Path, db: Path) -> tuple[int, list[int]]:
    """The series' first VERSIONS versions into a new database, in time order: the article, its word counts."""
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    store = Store(db)
    for entry in meta["versions"][:VERSIONS]:
        at = datetime.fromisoformat(entry["captured_at"].replace("Z", "+00:00"))
        raw = (folder / entry["file"]).read_bytes()
        ingest(store, Capture(raw, URL, at, "bench", "text"))
        store.commit_if_due()
    article = store.article(URL)
    words = [version.words for version in store.versions(article["id"])]
    store.close()
    if len(words) != VERSIONS:
        raise SystemExit(f"{SERIES}: expected {VERSIONS} versions, ingest made {len(words)}")
    return article["id"], words


def _first_renders(db: Path, article_id: int, pairs: list[tuple[int, int]]) -> list[float]:
    """Milliseconds of each pair's first permalink GET, in one fresh app (templates compiled first)."""
    client = create_app({"DATABASE": str(db), "TESTING": True}).test_client()
    _get(
        client, _permalink(client, article_id, 1, 2)
    )  # a change ingest computed: compiles the diff page's templates
    times = []
    for old, new in pairs:
        permalink = _permalink(client, article_id, old, new)
        started = time.perf_counter()
        _get(client, permalink)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _permalink(client, article_id: int, old: int, new: int) -> str:
    """Where the version numbers redirect: the permalink, which names both texts (no diff computed)."""
    response = client.get(f"/articles/{article_id}/diff/{old}..{new}")
    if response.status_code != 302:
        raise SystemExit(f"diff {old}..{new}: status {response.status_code}")
    return response.location


def _get(client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200 or b'class="diff' not in response.data:
        raise SystemExit(f"{path}: status {response.status_code}")


def main(argv: list[str] | None = None) -> int:
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="versioner-render-") as tmp:
        for row in rows(corpus_dir(), Path(tmp), quick):
            print("  ".join(str(cell) for cell in row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
