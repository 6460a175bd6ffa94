"""One story under several URLs: list and propose aliases, merge two articles, split one again."""

import click

from versioner.cli.base import Context, cli, emit_json, pass_context
from versioner.present import printable


@cli.command()
@click.argument("article", required=False)
@click.option(
    "--suggest", is_flag=True, help="Propose new URLs whose first text nearly equals a recent article."
)
@click.option(
    "--days", default=7, show_default=True, help="With --suggest: first seen at most this many days apart."
)
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@pass_context
def aliases(ctx: Context, article: str | None, suggest: bool, days: int, as_json: bool) -> None:
    """List the other URLs of ARTICLE (an id or any of its URLs), or propose aliases with --suggest."""
    from versioner import aliases as same_story

    if suggest:
        rows = [s.to_json() for s in same_story.suggest(ctx.store, days=days)]
        if as_json:
            emit_json(rows)
            return
        for row in rows:
            click.echo(
                f"{row['similarity']:.0%}  {printable(row['url'])}\n"
                f"      same as {row['same_as']['article']}: {printable(row['same_as']['url'])}\n"
                f"      versioner merge {row['same_as']['article']} {row['article']}"
            )
        if not rows:
            click.echo("No new URL looks like a recent article of its site.")
        return
    if not article:
        raise click.UsageError("give an ARTICLE, or --suggest")
    row = ctx.store.article(article)
    found = ctx.store.aliases.of_articles([row["id"]])[row["id"]]
    if as_json:
        emit_json({"article": row["id"], "url": row["url"], "aliases": found})
        return
    click.echo(f"{row['id']}  {printable(row['url'])}")
    for alias in found:
        click.echo(f"      {alias['reason']:<9}  {printable(alias['url'])}  (since {alias['added_at']})")


@cli.command()
@click.argument("keep")
@click.argument("other")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@pass_context
def merge(ctx: Context, keep: str, other: str, as_json: bool) -> None:
    """Make OTHER part of KEEP (ids or URLs): one story under two URLs. `versioner split URL` undoes it."""
    from versioner.aliases import merge as merge_articles

    done = merge_articles(ctx.store, keep, other)
    if as_json:
        emit_json(done)
        return
    click.echo(
        f"article {done['merged']} merged into {done['article']}; undo: versioner split {printable(done['url'])}"
    )


@cli.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@pass_context
def split(ctx: Context, url: str, as_json: bool) -> None:
    """Make the alias URL an article of its own again, with the captures that came in under it."""
    from versioner.aliases import split as split_article

    done = split_article(ctx.store, url)
    if as_json:
        emit_json(done)
        return
    click.echo(f"{printable(done['url'])} is article {done['split']} again, apart from {done['article']}")
