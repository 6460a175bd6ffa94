"""`versioner captures` and `versioner reextract`: every capture's fate, and reading them all again."""

import sys

import click

from versioner.cli.base import Context, cli, emit_json, pass_context
from versioner.present import printable


@cli.command()
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@pass_context
def captures(ctx: Context, article: str, as_json: bool) -> None:
    """List every capture of ARTICLE (an id or a URL) with its status, the reason and its version.

    A capture is accepted (it made or extended the version shown), truncated (held back: it lost most
    of the text) or rejected (an error page, an interstitial, an HTTP error); the reason says why.
    """
    rows = ctx.store.captures(ctx.store.article(article)["id"])
    if as_json:
        emit_json(rows)
        return
    for c in rows:
        version = f"v{c['version']}" if c["version"] else "-"
        reason = f"  {printable(c['reason'])}" if c["reason"] else ""
        click.echo(f"{c['id']:>6}  {c['fetched_at']}  {c['status']:9} {version:>5}{reason}")


@cli.command()
@click.argument("articles", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_context
def reextract(ctx: Context, articles: tuple[str, ...], as_json: bool) -> None:
    """Read every stored capture of ARTICLES (default: all) again with the current rules and rebuild
    their versions.

    Nothing stored is lost; a run that is stopped can be run again to complete.
    """
    from versioner.reextract import reextract as run

    store = ctx.store
    ids = [store.article(ref)["id"] for ref in articles] or None
    if as_json or not sys.stderr.isatty():
        report = run(store, ids)
    else:
        total = len(ids) if ids else store.article_total()
        with click.progressbar(length=total, label="Re-extracting", file=sys.stderr) as bar:
            report = run(store, ids, progress=bar.update)
    if as_json:
        emit_json(report.to_json())
        return
    click.echo(
        f"{report.articles} articles, {report.captures} captures read again ({report.captures_changed} "
        f"judged differently, {report.drift_captures} extraction drift): {report.versions_added} versions "
        f"added, {report.versions_merged_away} merged away, {report.versions_unchanged} unchanged"
    )
    for change in report.changed:
        click.echo(
            f"  {change.id:>6}  {change.versions_before} → {change.versions_after} versions  {printable(change.url)}"
        )
