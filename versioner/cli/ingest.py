"""`versioner ingest`: snapshot files, folders, WARC files and stdin into the database."""

import sys
from pathlib import Path

import click

from versioner.cli.base import Context, cli, emit_json, pass_context
from versioner.cli.notify import send_after_run
from versioner.present import printable


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--url", help="URL of the article (overrides sidecars and canonical links).")
@click.option(
    "--fetched-at", help="When the snapshot was fetched, ISO 8601 (default: sidecar, file name, mtime)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_context
def ingest(
    ctx: Context, paths: tuple[Path, ...], url: str | None, fetched_at: str | None, as_json: bool
) -> None:
    """Ingest snapshot files, folders (recursively) or - for standard input."""
    from versioner.capture import check_not_future
    from versioner.ingest_files import ingest_paths
    from versioner.times import now, parse_time

    when = check_not_future(parse_time(fetched_at), now()) if fetched_at else None
    summary = ingest_paths(
        ctx.store,
        list(paths),
        url=url,
        fetched_at=when,
        progress=not as_json and sys.stderr.isatty(),
    )
    send_after_run(ctx)  # the run's new versions were committed with their messages: send them now
    if as_json:
        emit_json(summary.to_json())
    else:
        click.echo(summary.describe())
        for failure in summary.errors:
            click.echo(f"error: {printable(failure['file'])}: {printable(failure['error'])}", err=True)
    if summary.interrupted:
        click.echo(
            "Interrupted: the captures counted above are stored; run the same ingest again for the rest "
            "(what is stored already is skipped as a duplicate).",
            err=True,
        )
        sys.exit(130)
    if summary.errors:
        sys.exit(1)
