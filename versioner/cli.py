"""The `versioner` command: thin click commands over the library; each parses, calls, prints."""

import json
import sys
from pathlib import Path

import click

from .errors import VersionerError


class Context:
    """What every command needs: where the database is, opened on first use."""

    def __init__(self, db_path: str):
        self.db_path = db_path
        self._store = None

    @property
    def store(self):
        if self._store is None:
            from .store import Store

            self._store = Store(self.db_path)
        return self._store

    @property
    def watchlist(self):
        from .watchlist import Watchlist

        return Watchlist(self.store.db)


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    envvar="VERSIONER_DB",
    default="versioner.db",
    show_default=True,
    help="SQLite database file (env VERSIONER_DB).",
)
@click.version_option(package_name="versioner")
@click.pass_context
def cli(ctx: click.Context, db_path: str) -> None:
    """Keep every copy of an article, store a version when its text really changed, show what changed."""
    ctx.obj = Context(db_path)


def main() -> None:
    """Entry point: a VersionerError is a message and exit status 1, never a traceback."""
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except VersionerError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


def emit_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


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
    from .batch import ingest_paths
    from .capture import check_not_future
    from .times import now, parse_time

    when = check_not_future(parse_time(fetched_at), now()) if fetched_at else None
    summary = ingest_paths(
        ctx.store,
        list(paths),
        url=url,
        fetched_at=when,
        progress=not as_json and sys.stderr.isatty(),
    )
    if as_json:
        emit_json(summary.to_json())
    else:
        click.echo(summary.describe())
        for failure in summary.errors:
            click.echo(f"error: {failure['file']}: {failure['error']}", err=True)
    if summary.errors:
        sys.exit(1)


@cli.command()
@click.option("--site", help="Only articles of this site.")
@click.option("--limit", default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def articles(ctx: Context, site: str | None, limit: int, as_json: bool) -> None:
    """List articles, most recently changed first, with the next scheduled check of tracked ones."""
    from .shapes import article_summaries

    rows = article_summaries(ctx.store, ctx.store.articles(limit=limit, site=site))
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(
            f"{row['id']:>5}  {row['versions']:>3} v  {row['last_changed'] or '-':20}  {row['title'][:70]}"
        )
        upcoming = f"  (next check {row['next_check']})" if row["next_check"] else ""
        click.echo(f"       {row['url']}{upcoming}")


@cli.command()
@click.argument("article")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def versions(ctx: Context, article: str, as_json: bool) -> None:
    """List the versions of ARTICLE (an id or a URL)."""
    from .shapes import version_summary

    row = ctx.store.article(article)
    rows = [version_summary(v) for v in ctx.store.versions(row["id"])]
    if as_json:
        emit_json(rows)
        return
    for v in rows:
        revert = f"  (revert to {v['revert_of']})" if v["revert_of"] else ""
        click.echo(
            f"{v['n']:>3}  {v['first_seen']} – {v['last_seen']}  {v['captures']:>3} captures  "
            f"{v['words']:>6} words  {v['title'][:60]}{revert}"
        )


@cli.command()
@click.argument("article")
@click.argument("n", required=False, type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def show(ctx: Context, article: str, n: int | None, as_json: bool) -> None:
    """Print version N of ARTICLE (default: the latest)."""
    from .shapes import version_detail

    row = ctx.store.article(article)
    version = ctx.store.version(row["id"], n if n is not None else row["version_count"])
    if as_json:
        emit_json(version_detail(row, version))
        return
    click.echo(version.title)
    if version.byline:
        click.echo(version.byline)
    click.echo()
    click.echo(version.text)


@cli.command()
@click.argument("article")
@click.argument("from_n", metavar="FROM", required=False, type=int)
@click.argument("to_n", metavar="TO", required=False, type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_context
def diff(ctx: Context, article: str, from_n: int | None, to_n: int | None, fmt: str) -> None:
    """Show what changed in ARTICLE between versions FROM and TO (default: the latest against the one before)."""
    from .shapes import diff_json, diff_pair, render_terminal

    row = ctx.store.article(article)
    old, new, result = diff_pair(ctx.store, row, from_n, to_n)
    if fmt == "json":
        emit_json(diff_json(row, old, new, result))
    else:
        click.echo(render_terminal(old, new, result, color=sys.stdout.isatty()))


@cli.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True)
@pass_context
def search(ctx: Context, words: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Articles with a version containing every one of WORDS ("a phrase" in quotes, word* a prefix)."""
    from .search import MATCH_END, MATCH_START, hit_json
    from .search import search as search_articles

    query = " ".join(words)
    total, hits = search_articles(ctx.store, query, limit=limit)
    if as_json:
        emit_json({"query": query, "total": total, "results": [hit_json(hit) for hit in hits]})
        return
    start, end = ("\x1b[1;33m", "\x1b[0m") if sys.stdout.isatty() else ("[", "]")
    for hit in hits:
        versions = ", ".join(map(str, hit["matching"]))
        click.echo(f"{hit['id']:>5}  {hit['title']}  (versions {versions})")
        snippet = hit["snippet"].replace(MATCH_START, start).replace(MATCH_END, end)
        click.echo("       " + snippet.replace("\n", " "))
    click.echo(f"{total} article{'s' if total != 1 else ''} found")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option(
    "--trusted-proxy",
    envvar="VERSIONER_TRUSTED_PROXY",
    metavar="ADDRESS",
    help="Behind a reverse proxy: its address, whose X-Forwarded-Proto/-Host/-For headers are believed "
    "(env VERSIONER_TRUSTED_PROXY).",
)
@pass_context
def serve(ctx: Context, host: str, port: int, threads: int, trusted_proxy: str | None) -> None:
    """Serve the web UI with waitress (a production WSGI server)."""
    import waitress

    from web import create_app

    app = create_app({"DATABASE": ctx.db_path})
    proxy = (
        {
            "trusted_proxy": trusted_proxy,
            "trusted_proxy_headers": "x-forwarded-proto x-forwarded-host x-forwarded-for x-forwarded-port",
        }
        if trusted_proxy
        else {}
    )
    click.echo(f"versioner on http://{host}:{port}/ (database {ctx.db_path})", err=True)
    waitress.serve(app, host=host, port=port, threads=threads, ident="versioner", **proxy)


from . import cli_capture  # noqa: E402, F401  (registers track, untrack, feeds and poll on the group)
