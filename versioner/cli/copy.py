"""`versioner copy SRC DST`: an archive into another store, verified (versioner/store/copy.py)."""

import sys
import time

import click

from versioner.cli.base import cli, emit_json
from versioner.store.copy import BATCH_ROWS

PROGRESS_SECONDS = 2.0  # a step's progress said at most this often; its start and end always


@cli.command("copy")
@click.argument("src")
@click.argument("dst")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=BATCH_ROWS,
    show_default=True,
    help="Rows written per transaction: a stopped copy loses at most one batch, which a re-run writes.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was copied and verified as JSON.")
def copy(src: str, dst: str, batch_size: int, as_json: bool) -> None:
    """Copy the archive in SRC into DST (SQLite files or postgresql:// URLs, either way), ids and all, so
    permalinks stay the same; the search index and outlet statistics are built again in DST. Every
    table is then verified by its row count and a content hash on both sides. Run it again after an
    interruption to go on where it stopped. A DST that holds anything but this copy is refused, and
    SRC must not change until the copy is done. Progress goes to stderr. --db is not used."""
    from versioner.store.copy import copy_archive, open_stores

    source, destination = open_stores(src, dst)
    src, dst = source.where, destination.where  # a PostgreSQL URL said without its password
    try:
        tables = copy_archive(source, destination, batch_size, _progress())
    finally:
        source.close()
        destination.close()
    if as_json:
        emit_json({"source": src, "destination": dst, "tables": [t.to_json() for t in tables]})
        return
    for table in tables:
        click.echo(
            f"{table.table:<14} {table.rows:>10,} rows  {table.copied:>10,} copied  sha256 {table.sha256[:16]}"
        )
    rows = sum(table.rows for table in tables)
    click.echo(
        f"verified: {len(tables)} tables, {rows:,} rows, the same counts and content hashes in {src} and "
        f"{dst}; the search index and outlet statistics were built again in {dst}"
    )


def _progress():
    """The copy's progress on stderr: each step's start and end, and where it is every few seconds."""
    last = {"at": 0.0}

    def say(message: str, milestone: bool) -> None:
        now = time.monotonic()
        if milestone or now - last["at"] >= PROGRESS_SECONDS:
            last["at"] = now
            click.echo(message, err=True)
            sys.stderr.flush()

    return say
