"""The WARC export over corpus series: its speed against reading the same raw captures and gzipping
them as warcio does (level 9, the bulk of the work), and its peak memory for one copy of the series
against four copies (a constant-memory export holds them alike).

Prints figures; asserts nothing. `--quick`: the Platform Governance Archive's first three series.
"""

import dataclasses
import sys
import tempfile
import time
import tracemalloc
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from helpers import CORPUS, corpus_series  # noqa: E402

from versioner.archive.warc_export import export_warc  # noqa: E402
from versioner.store import Store  # noqa: E402
from versioner.versioning import ingest  # noqa: E402

SOURCE = "pga-versions"


def build(path: Path, names: list[str], copies: int) -> None:
    """The series ingested `copies` times, each copy under URLs of its own."""
    store = Store(path)
    with store.batch():
        for copy in range(copies):
            for name in names:
                for capture in corpus_series(CORPUS, SOURCE, name):
                    ingest(store, dataclasses.replace(capture, url=f"{capture.url}/copy-{copy}"))
                store.commit_if_due()
    store.close()


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def peak_bytes(work) -> int:
    """Peak bytes allocated (tracemalloc) during one call."""
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def cold(db: Path, measure, work):
    """A figure of work(store) on a store opened for it, nothing decoded yet."""
    store = Store(db)
    try:
        return measure(lambda: work(store))
    finally:
        store.close()


def main() -> None:
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS} (set VERSIONER_CORPUS)")
        return
    names = sorted(d.name for d in (CORPUS / SOURCE).iterdir() if (d / "meta.json").is_file())
    names = names[:3] if "--quick" in sys.argv else names
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for copies in (1, 4):
            db = Path(tmp) / f"bench-{copies}.db"
            build(db, names, copies)
            store = Store(db)
            captures = list(store.capture_export.rows())
            read = timed(lambda: [zlib.compress(store.raw_captures.get(r["raw_hash"]), 9) for r in captures])  # noqa: B023
            store.close()
            out = str(Path(tmp) / f"out-{copies}.warc.gz")
            export, peak = (
                cold(db, measure, lambda s, out=out: export_warc(s, out)) for measure in (timed, peak_bytes)
            )
            rows.append((len(captures), read, export, peak, Path(out).stat().st_size))
    print(f"{'figure':<40} {'measured':<18} {'baseline':<26}")
    for count, read, export, _, size in rows:
        print(
            f"{f'WARC export, {count:,} captures':<40} {f'{count / export:,.0f} captures/s':<18} "
            f"{f'read + gzip {count / read:,.0f}/s':<26} {export / read:.1f}x, {size / 1e6:.1f} MB written"
        )
    (small, *_, small_peak, _), (large, *_, large_peak, _) = rows
    print(
        f"{'peak memory, export':<40} {f'{large_peak / 1e6:.1f} MB ({large:,})':<18} "
        f"{f'{small_peak / 1e6:.1f} MB ({small:,})':<26} "
        f"{large_peak / small_peak:.2f}x for {large / small:.0f}x the captures"
    )


if __name__ == "__main__":
    main()
