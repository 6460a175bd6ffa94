"""Time the diff engine over every consecutive version pair of the shared corpus.

Prints median and 99th-percentile milliseconds per pair for the engine on the C++ backend,
the engine on the pure-Python backend, and a difflib baseline on the same word tokens.

    python benchmarks/diff_bench.py [--quick]

The corpus is ../shared/corpus next to the repository, or $VERSIONER_CORPUS.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from versioner.diff.engine import diff_versions
from versioner.diff.tokens import choose_backend, tokenize

Pair = tuple[str, str]
# --quick times every QUICK_STEP-th pair only: enough for a CI smoke run.
QUICK_STEP = 20
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.DOTALL | re.IGNORECASE)


def corpus_dir() -> Path:
    """$VERSIONER_CORPUS, else ../shared/corpus beside the repository."""
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    return Path(os.environ.get("VERSIONER_CORPUS") or default)


def read_version(path: Path) -> str:
    """A capture as body text: raw, except HTML, whose tags are cheaply stripped to one paragraph per line."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".html":
        return text
    lines = (line.strip() for line in _MARKUP.sub("\n", text).splitlines())
    return "\n\n".join(line for line in lines if line)


def version_pairs(corpus: Path) -> Iterator[Pair]:
    """Each series' consecutive versions, oldest first, as meta.json lists them."""
    for meta_path in sorted(corpus.glob("*/*/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        texts = [read_version(meta_path.parent / version["file"]) for version in meta["versions"]]
        yield from zip(texts, texts[1:], strict=False)


def _time_ms(pairs: list[Pair], diff: Callable[[str, str], object]) -> list[float]:
    times = []
    for old, new in pairs:
        start = time.perf_counter()
        diff(old, new)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _difflib_words(old: str, new: str) -> object:
    """The baseline: difflib on the same word tokens, as a peer without diff-match-patch would do."""
    return difflib.SequenceMatcher(None, tokenize(old), tokenize(new)).get_opcodes()


def _engine(backend_name: str) -> Callable[[str, str], object]:
    backend = choose_backend(backend_name)
    return lambda old, new: diff_versions("", "", old, "", "", new, backend=backend)


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(p99, 3),
        "max_ms": round(ordered[-1], 3),
    }


def figures(corpus: Path | None = None, quick: bool = False) -> dict[str, object]:
    """Timings per pair for both engine backends and difflib; {"skipped": reason} without a corpus."""
    corpus = corpus or corpus_dir()
    if not corpus.is_dir():
        return {"skipped": f"no corpus at {corpus} (set VERSIONER_CORPUS)"}
    pairs = list(version_pairs(corpus))[:: QUICK_STEP if quick else 1]
    runs = {"fast": _engine("fast"), "pure": _engine("pure"), "difflib": _difflib_words}
    return {"pairs": len(pairs), **{name: _summary(_time_ms(pairs, diff)) for name, diff in runs.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"every {QUICK_STEP}th pair only (CI smoke run)")
    result = figures(quick=parser.parse_args(argv).quick)
    if "skipped" in result:
        print(f"diff_bench skipped: {result['skipped']}")
        return 0
    print(f"{result['pairs']} version pairs, ms per pair")
    print(f"{'':<22}{'median':>10}{'p99':>10}{'max':>10}")
    for name, label in (
        ("fast", "engine, C++ backend"),
        ("pure", "engine, pure backend"),
        ("difflib", "difflib baseline"),
    ):
        row = result[name]
        print(f"{label:<22}{row['median_ms']:>10.2f}{row['p99_ms']:>10.2f}{row['max_ms']:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
