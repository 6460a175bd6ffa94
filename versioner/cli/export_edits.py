"""`versioner export jsonl` and `versioner export csv`: every version pair with its sentence edits."""

import sys
from contextlib import nullcontext

import click

from versioner.cli.base import Context, pass_context
from versioner.cli.export import export


def _edits_command(fmt: str, what: str):
    @export.command(name=fmt, help=f"Write each pair of consecutive versions to OUT ('-' for stdout) {what}.")
    @click.argument("out", type=click.File("w", encoding="utf-8", atomic=True))
    @click.option("--site", help="Only articles of this site.")
    @click.option(
        "--since", help="Only pairs whose newer version was first seen at or after this time (ISO 8601)."
    )
    @pass_context
    def command(ctx: Context, out, site: str | None, since: str | None) -> None:
        from versioner.insight.research_export import count_articles
        from versioner.insight.research_export import export as export_pairs
        from versioner.times import parse_time, to_iso

        since_iso = to_iso(parse_time(since)) if since else None
        store = ctx.store
        bar = (
            click.progressbar(length=count_articles(store, site), label="Articles", file=sys.stderr)
            if sys.stderr.isatty()
            else nullcontext()
        )
        with bar as progress:
            advance = (lambda: progress.update(1)) if progress is not None else None
            pairs = export_pairs(store, out, fmt, site=site, since=since_iso, advance=advance)
        if out.name != "<stdout>":
            click.echo(f"{pairs} version pair{'s' if pairs != 1 else ''} written to {out.name}", err=True)

    return command


jsonl = _edits_command("jsonl", "as JSON Lines, one pair a line with its edits (docs/research.md)")
csv = _edits_command("csv", "as CSV, one sentence edit a row (docs/research.md)")
