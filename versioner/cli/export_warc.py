"""`versioner export warc`: the raw captures as a WARC file (versioner/archive/warc_export.py)."""

import json
from dataclasses import asdict

import click

from versioner.cli.base import Context, pass_context
from versioner.cli.export import export


@export.command("warc")
@click.argument("out")
@click.argument("articles", nargs=-1)
@click.option("--site", help="Only the articles of this site (as `versioner articles --site` names it).")
@click.option("--since", metavar="TIME", help="Only captures fetched at or after this time (ISO 8601).")
@click.option(
    "--gzip/--no-gzip",
    default=None,
    help="Compress each record with gzip (default: when OUT ends in .gz; never for -).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@pass_context
def warc(
    ctx: Context,
    out: str,
    articles: tuple[str, ...],
    site: str | None,
    since: str | None,
    gzip: bool | None,
    as_json: bool,
) -> None:
    """Write every raw capture (of ARTICLES, ids or URLs; all by default) to OUT as WARC/1.1, `-` for
    standard output: a response record where the HTTP answer is known, a resource record for files,
    and a metadata record naming the version each capture belongs to. Ingesting the file into an empty
    database gives the same versions; pywb replays it."""
    from versioner.archive.warc_export import export_warc

    done = export_warc(ctx.store, out, list(articles), site=site, since=since, gzip=gzip)
    to_stderr = out == "-"  # standard output is the WARC itself
    if as_json:
        click.echo(json.dumps(asdict(done), ensure_ascii=False, indent=2), err=to_stderr)
    else:
        click.echo(
            f"{done.captures} captures of {done.articles} articles, {done.records} records, to {out}",
            err=to_stderr,
        )
