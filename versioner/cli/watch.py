"""The capture commands of `versioner`: track, untrack, feeds and poll (the cron entry point)."""

import logging
import sys

import click

from versioner.cli.base import Context, cli, emit_json, pass_context
from versioner.cli.notify import send_after_run
from versioner.errors import VersionerError
from versioner.present import printable
from versioner.watch.schedule import DEFAULT_SCHEDULE

ALLOW_PRIVATE = click.option(
    "--allow-private",
    is_flag=True,
    help="Let these URLs' hosts be on loopback or private addresses, remembered for poll (refused by "
    "default; cloud metadata addresses always are).",
)


@cli.command()
@click.argument("urls", nargs=-1, required=True)
@ALLOW_PRIVATE
@pass_context
def track(ctx: Context, urls: tuple[str, ...], allow_private: bool) -> None:
    """Track article URLs: `versioner poll` fetches them on the schedule."""
    from versioner.watch.poll import track_url

    _each_url(
        urls, lambda url: track_url(ctx.store.watchlist, url, allow_private), "tracking", "already tracked"
    )


@cli.command()
@click.argument("urls", nargs=-1, required=True)
@pass_context
def untrack(ctx: Context, urls: tuple[str, ...]) -> None:
    """Stop tracking URLs (an article's URL stops every tracked link that led to it)."""
    _each_url(urls, lambda url: _remove(ctx.store.watchlist.untrack, url, "tracked"), "untracked", "")


@cli.group()
def feeds() -> None:
    """Follow RSS and Atom feeds: every new item link becomes a tracked article."""


@feeds.command("add")
@click.argument("urls", nargs=-1, required=True)
@ALLOW_PRIVATE
@pass_context
def feeds_add(ctx: Context, urls: tuple[str, ...], allow_private: bool) -> None:
    """Follow feeds; `versioner poll` reads them."""
    from versioner.watch.poll import follow_feed

    _each_url(
        urls,
        lambda url: follow_feed(ctx.store.watchlist, url, allow_private),
        "following",
        "already following",
    )


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@pass_context
def feeds_list(ctx: Context, as_json: bool) -> None:
    """List followed feeds with the number of articles each brought and their last check."""
    rows = ctx.store.watchlist.feeds()
    if as_json:
        emit_json(rows)
        return
    for row in rows:  # titles and errors come from remote servers, and from databases of older versions
        state = (
            f"error: {row['last_error']}"
            if row["last_error"]
            else f"checked {row['last_checked'] or 'never'}"
        )
        click.echo(printable(f"{row['items']:>5} items  {row['url']}  {row['title'][:40]}  ({state})"))


@feeds.command("remove")
@click.argument("urls", nargs=-1, required=True)
@pass_context
def feeds_remove(ctx: Context, urls: tuple[str, ...]) -> None:
    """Stop following feeds; the articles they brought stay tracked."""
    _each_url(urls, lambda url: _remove(ctx.store.watchlist.remove_feed, url, "followed"), "removed", "")


@cli.command()
@click.option("--force", is_flag=True, help="Check every tracked article now, whatever the schedule.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Treat every URL and feed added by hand as added with --allow-private; never a host only a feed "
    "item or a redirect names, never a cloud metadata address.",
)
@click.option(
    "--schedule",
    envvar="VERSIONER_SCHEDULE",
    default=DEFAULT_SCHEDULE,
    show_default=True,
    help="Check every EVERY while younger than AGE, tier by tier (env VERSIONER_SCHEDULE).",
)
@click.option(
    "--timeout",
    envvar="VERSIONER_FETCH_TIMEOUT",
    default=20.0,
    show_default=True,
    type=float,
    help="Seconds to connect and for each read (env VERSIONER_FETCH_TIMEOUT).",
)
@click.option(
    "--delay",
    envvar="VERSIONER_HOST_DELAY",
    default=1.0,
    show_default=True,
    type=float,
    help="Seconds between two requests to one host (env VERSIONER_HOST_DELAY).",
)
@click.option(
    "--workers",
    default=4,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Hosts fetched at the same time.",
)
@click.option(
    "--contact",
    envvar="VERSIONER_CONTACT",
    metavar="URL_OR_EMAIL",
    help="How a site's admin reaches you, sent in the User-Agent as versioner/VERSION (+CONTACT) "
    "(env VERSIONER_CONTACT).",
)
@click.option(
    "--user-agent",
    envvar="VERSIONER_USER_AGENT",
    help="A User-Agent of your own instead, whole (env VERSIONER_USER_AGENT).",
)
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False),
    help="Log every check to this file (default: warnings on stderr).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_context
def poll(
    ctx: Context,
    force: bool,
    allow_private: bool,
    schedule: str,
    timeout: float,
    delay: float,
    workers: int,
    contact: str | None,
    user_agent: str | None,
    log_path: str | None,
    as_json: bool,
) -> None:
    """Read followed feeds, then fetch every tracked article that is due: the cron entry point.

    Exit status 1 when a fetch failed. Overlapping runs share the work and never fetch an article twice.
    """
    from versioner.sources.fetch import Fetcher, FetchSettings
    from versioner.sources.fetch import user_agent as make_user_agent
    from versioner.watch.poll import poll as run_poll
    from versioner.watch.schedule import parse_schedule

    progress = sys.stderr.isatty() and not as_json
    agent = make_user_agent(contact, user_agent)
    _configure_log(log_path, over_progress=progress)
    if not (contact or user_agent):
        click.echo(
            "warning: no contact in the User-Agent; sites may block crawlers they cannot reach: "
            "set VERSIONER_CONTACT (a URL or an e-mail address) or --contact",
            err=True,
        )
    settings = FetchSettings(timeout=timeout, host_delay=delay, user_agent=agent)
    with Fetcher(settings) as fetcher:
        summary = run_poll(
            ctx.store,
            fetcher,
            parse_schedule(schedule),
            force=force,
            workers=workers,
            on_progress=_show_progress if progress else None,
            allow_private=allow_private,
        )
    send_after_run(ctx)  # the poll's new versions were committed with their messages: send them now
    if progress:
        click.echo(err=True)
    if as_json:
        emit_json(summary.to_json())
    else:
        click.echo(summary.describe())
    if summary.errors:
        sys.exit(1)


def _each_url(urls, action, done: str, already: str) -> None:
    """Apply action to each URL, report each, and exit 1 after the others if any failed."""
    failed = False
    for url in urls:
        try:
            canonical, new = action(url)
        except VersionerError as err:
            click.echo(f"Error: {printable(err)}", err=True)
            failed = True
            continue
        click.echo(f"{done if new else already}: {printable(canonical)}")
    if failed:
        sys.exit(1)


def _remove(remove, url: str, what: str) -> tuple[str, bool]:
    from versioner.errors import NotInArchive
    from versioner.urls import canonical_url

    url = canonical_url(url)
    if not remove(url):
        raise NotInArchive(f"{url} is not {what}")
    return url, True


def _configure_log(path: str | None, over_progress: bool) -> None:
    """Every check to the --log file; else warnings to stderr (on a terminal, over the progress line)."""
    handler = logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(sys.stderr)
    if over_progress and not path:
        handler.setFormatter(logging.Formatter("\r\x1b[K%(levelname)s %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()  # the libraries' warnings (trafilatura, httpx) go to the same place
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("versioner").setLevel(logging.INFO if path else logging.WARNING)


def _show_progress(summary) -> None:
    click.echo(
        f"\r{summary.due} due, {summary.fetched} fetched, {summary.changed} changed, "
        f"{len(summary.errors)} errors ",
        err=True,
        nl=False,
    )
