"""The reading commands: articles, versions, show, diff and search."""

import sys

import click

from versioner.cli.base import Context, cli, emit_json, pass_context
from versioner.present import printable


@cli.command()
@click.option("--site", help="Only articles of this site.")
@click.option("--limit", default=1000, show_default=True, help="At most this many articles.")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@pass_context
def articles(ctx: Context, site: str | None, limit: int, as_json: bool) -> None:
    """List articles, most recently changed first, with the next scheduled check of tracked ones."""
    from versioner.present import article_summaries

    rows = article_summaries(ctx.store, ctx.store.articles(limit=limit, site=site))
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(
            f"{row['id']:>5}  {row['versions']:>3} v  {row['last_changed'] or '-':20}  {printable(row['title'][:70])}"
        )
        upcoming = f"  (next check {row['next_check']})" if row["next_check"] else ""
        click.echo(f"       {printable(row['url'])}{upcoming}")


@cli.command()
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@pass_context
def versions(ctx: Context, article: str, as_json: bool) -> None:
    """List the versions of ARTICLE (an id or a URL)."""
    from versioner.present import version_summary

    row = ctx.store.article(article)
    rows = [version_summary(v) for v in ctx.store.versions(row["id"])]
    if as_json:
        emit_json(rows)
        return
    for v in rows:
        revert = f"  (revert to {v['revert_of']})" if v["revert_of"] else ""
        signal = f"  [{v['notice']['kind']}]" if v["notice"] else "  [stealth edit]" if v["stealth"] else ""
        click.echo(
            f"{v['n']:>3}  {v['first_seen']} – {v['last_seen']}  {v['captures']:>3} captures  "
            f"{v['words']:>6} words  {printable(v['title'][:60])}{revert}{signal}"
        )


@cli.command()
@click.argument("article")
@click.argument("n", required=False, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@pass_context
def show(ctx: Context, article: str, n: int | None, as_json: bool) -> None:
    """Print version N of ARTICLE (default: the latest)."""
    from versioner.present import version_detail

    row = ctx.store.article(article)
    version = ctx.store.version(row["id"], n if n is not None else row["version_count"])
    if as_json:
        emit_json(version_detail(row, version))
        return
    click.echo(printable(version.title))
    if version.byline:
        click.echo(printable(version.byline))
    click.echo()
    click.echo(printable(version.text, keep_newlines=True))


@cli.command()
@click.argument("article")
@click.argument("from_n", metavar="[FROM", required=False, type=int)
@click.argument("to_n", metavar="[TO]]", required=False, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON (docs/diff.md).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), hidden=True
)  # before --json; kept for scripts
@pass_context
def diff(
    ctx: Context, article: str, from_n: int | None, to_n: int | None, as_json: bool, fmt: str | None
) -> None:
    """Show what changed in ARTICLE between versions FROM and TO (default: the latest against the one before)."""
    from versioner import changes
    from versioner.present import diff_json, render_terminal

    row = ctx.store.article(article)
    old, new = changes.choose_versions(ctx.store, row, from_n, to_n)
    data = changes.load(ctx.store, old, new)
    if as_json or fmt == "json":
        emit_json(diff_json(row, old, new, data))
    else:
        click.echo(render_terminal(old, new, data, color=sys.stdout.isatty()))


@cli.command()
@click.argument("words", nargs=-1, required=True)
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(1, 1000), help="At most this many articles."
)
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@pass_context
def search(ctx: Context, words: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Articles with a version containing every one of WORDS ("a phrase" in quotes, word* a prefix)."""
    from versioner.search_results import MATCH_END, MATCH_START, count_text, hit_json
    from versioner.search_results import search as search_articles

    query = " ".join(words)
    total, hits = search_articles(ctx.store, query, limit=limit)
    if as_json:
        emit_json(
            {
                "query": query,
                "total": total,
                "total_exact": total.exact,
                "results": [hit_json(hit) for hit in hits],
            }
        )
        return
    start, end = ("\x1b[1;33m", "\x1b[0m") if sys.stdout.isatty() else ("[", "]")
    for hit in hits:
        versions = ", ".join(map(str, hit["matching"]))
        click.echo(f"{hit['id']:>5}  {printable(hit['title'])}  (versions {versions})")
        snippet = hit["snippet"].replace("\n", " ")
        # The match markers are control characters themselves: escape the text between them only.
        marked = start.join(
            end.join(map(printable, part.split(MATCH_END))) for part in snippet.split(MATCH_START)
        )
        click.echo("       " + marked)
    click.echo(f"{count_text(total)} found")
