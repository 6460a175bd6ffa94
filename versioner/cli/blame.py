"""`versioner blame`: since which version each paragraph and sentence of a version has stood."""

import click

from versioner.cli.base import Context, cli, emit_json, pass_context
from versioner.present import printable


@cli.command()
@click.argument("article")
@click.argument("n", required=False, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON (docs/research.md).")
@pass_context
def blame(ctx: Context, article: str, n: int | None, as_json: bool) -> None:
    """Show each paragraph of version N of ARTICLE (default: the latest) with the version it stands since."""
    from versioner.insight.blame import blame as blame_version

    data = blame_version(ctx.store, ctx.store.article(article), n)
    if as_json:
        emit_json(data)
        return
    for paragraph in data["paragraphs"]:
        click.echo(f"v{paragraph['since']:<4} {paragraph['first_seen']}")
        for sentence in paragraph["sentences"]:
            older = "" if sentence["since"] == paragraph["since"] else f"(v{sentence['since']}) "
            click.echo(f"    {older}{printable(sentence['text'])}")
        click.echo()
