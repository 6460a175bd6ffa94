"""Outlet statistics at archive scale: the /api/sites reads, and the cost of keeping them at ingest.

Builds a database whose article_stats and site_totals hold N synthetic articles over a few sites (the
rows ingest would keep; no texts are needed for these reads), then times the reads /sites and
/api/sites make against a full scan that recomputes the same totals from article_stats: the kept
totals must not grow with the archive. Also times `SiteStats.refresh`, what each ingest adds.

    .venv/bin/python benchmarks/site_stats_bench.py [--articles 1000000] [--sites 20]
"""

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from versioner.store import Store
from versioner.store.site_stats import COUNTS


def build(store: Store, articles: int, sites: int) -> None:
    rng = random.Random(17)
    names = [f"outlet{i}.example" for i in range(sites)]
    columns = ("article_id", "site", "first_change_seconds", *COUNTS)
    marks = ", ".join("?" for _ in columns)
    store.db.execute("PRAGMA foreign_keys = OFF")  # synthetic rows: no articles behind them
    with store.transaction():
        rows = []
        for article_id in range(1, articles + 1):
            edits = rng.choice((0, 0, 0, 1, 1, 2, 5))
            delay = rng.randint(60, 7 * 86400) if edits else None
            counts = [
                1,
                int(edits > 0),
                edits,
                rng.randint(0, edits),
                rng.randint(0, edits),
                0,
                0,
                edits,
                0,
                0,
                0,
                0,
                0,
            ]
            rows.append((article_id, rng.choice(names), delay, *counts))
            if len(rows) == 50_000:
                store.db.conn.executemany(
                    f"INSERT INTO article_stats ({', '.join(columns)}) VALUES ({marks})", rows
                )
                rows = []
        store.db.conn.executemany(f"INSERT INTO article_stats ({', '.join(columns)}) VALUES ({marks})", rows)
        sums = ", ".join(f"sum({name})" for name in COUNTS)
        store.db.execute(
            f"INSERT INTO site_totals (site, {', '.join(COUNTS)}) SELECT site, {sums} FROM article_stats GROUP BY site"
        )


def timed(action, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "stats.db")
        started = time.perf_counter()
        build(store, args.articles, args.sites)
        print(
            f"built {args.articles:,} article rows over {args.sites} sites in {time.perf_counter() - started:.1f} s"
        )
        every = timed(store.site_stats.sites)
        one = timed(lambda: store.site_stats.site("outlet3.example"))
        scan = timed(
            lambda: store.db.execute(
                "SELECT site, sum(edits), sum(stealth_edits) FROM article_stats GROUP BY site"
            ).fetchall(),
            3,
        )
        refresh = timed(lambda: store.site_stats.refresh(1), 20)
        print(f"{'figure':40} {'measured':>12} {'baseline (full scan)':>22}")
        print(f"{'/api/sites: every site':40} {every:>9.1f} ms {scan:>19.1f} ms")
        print(f"{'/api/sites/<site>: one site':40} {one:>9.1f} ms {scan:>19.1f} ms")
        print(f"{'refresh at ingest (one article)':40} {refresh:>9.2f} ms")
        store.close()


if __name__ == "__main__":
    main()
