"""`versioner notify`: subscriptions to changes (webhooks and Apprise URLs), and sending their messages."""

import os

import click

from versioner.cli.base import Context, cli, emit_json, pass_context
from versioner.errors import VersionerError
from versioner.present import printable

BASE_URL = click.option(
    "--base-url",
    envvar="VERSIONER_BASE_URL",
    help="The public web UI's origin, for the diff links in messages (env VERSIONER_BASE_URL).",
)


@cli.group()
def notify() -> None:
    """Tell people when an article changes: webhooks, e-mail and every channel Apprise speaks."""


@notify.command("add")
@click.argument("target")
@click.option("--article", "articles", multiple=True, metavar="REF", help="Only this article (id or URL).")
@click.option("--site", "sites", multiple=True, help="Only articles of this site (host name).")
@click.option("--words", "words", multiple=True, metavar="WORD", help="Only changes adding or removing it.")
@click.option("--headline-only", is_flag=True, help="Only changes of the headline.")
@click.option("--min-words", type=click.IntRange(min=0), default=0, help="Only changes of at least N words.")
@click.option("--digest", type=click.Choice(["hourly", "daily"]), help="One message per hour or day.")
@click.option("--backfill", is_flag=True, help="Also versions that a late capture places back in time.")
@click.option("--secret", help="Sign webhook bodies: X-Versioner-Signature: sha256=<HMAC of the body>.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Let the target be on a loopback or private address (cloud metadata addresses never are).",
)
@BASE_URL
@click.option("--json", "as_json", is_flag=True, help="Print the subscription as JSON.")
@pass_context
def notify_add(ctx: Context, target: str, base_url: str | None, as_json: bool, **filters) -> None:
    """Subscribe TARGET (an http(s):// webhook or an Apprise URL) to changes; no filter means every change."""
    from versioner.notify.subscribe import add, base_url_note

    subscription = add(
        ctx.store,
        target,
        **{k: list(v) if isinstance(v, tuple) else v for k, v in filters.items()},
    )
    note = base_url_note(base_url)
    if as_json:
        emit_json({**subscription, "note": note})
        return
    click.echo(f"subscription {subscription['id']}: {printable(subscription['target'])}")
    if note:
        click.echo(f"note: {note}", err=True)


@notify.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the subscriptions as JSON.")
@pass_context
def notify_list(ctx: Context, as_json: bool) -> None:
    """The subscriptions, secrets hidden, with their pending messages and the last delivery error."""
    from versioner.notify.subscribe import listing

    subscriptions = listing(ctx.store)
    if as_json:
        emit_json({"subscriptions": subscriptions})
        return
    if not subscriptions:
        click.echo("no subscriptions")
    for s in subscriptions:
        filters = [f"article {a}" for a in s["articles"]] + [f"site {x}" for x in s["sites"]]
        filters += [f"word {w!r}" for w in s["words"]]
        filters += ["headline only"] * s["headline_only"] + [f"{s['digest']} digest"] * bool(s["digest"])
        filters += [f"at least {s['min_words']} words"] * bool(s["min_words"]) + ["backfills"] * s["backfill"]
        click.echo(
            f"{s['id']}  {printable(s['target'])}  [{', '.join(filters) or 'every change'}]  "
            f"{s['sent']} sent, {s['pending']} pending"
        )
        if s["last_error"]:
            click.echo(f"    last error after {s['attempts']} attempts: {printable(s['last_error'])}")


@notify.command("remove")
@click.argument("subscription_id", metavar="ID", type=int)
@pass_context
def notify_remove(ctx: Context, subscription_id: int) -> None:
    """Remove a subscription and its messages."""
    from versioner.notify.subscribe import remove

    remove(ctx.store, subscription_id)
    click.echo(f"removed subscription {subscription_id}")


@notify.command("send")
@BASE_URL
@click.option("--json", "as_json", is_flag=True, help="Print what was sent as JSON.")
@pass_context
def notify_send(ctx: Context, base_url: str | None, as_json: bool) -> None:
    """Send every pending message now, failed ones too whatever their backoff (exit 1 if any failed)."""
    from versioner.notify.outbox import send

    report = send(ctx.store, base_url, force=True)
    if as_json:
        emit_json(report.to_json())
    else:
        click.echo(report.describe())
        for failure in report.failures:
            click.echo(
                f"error: subscription {failure['subscription']} ({printable(failure['target'])}): "
                f"{printable(failure['error'])}",
                err=True,
            )
    if report.failed:
        raise SystemExit(1)


@notify.command("test")
@click.argument("subscription_id", metavar="ID", type=int)
@BASE_URL
@pass_context
def notify_test(ctx: Context, subscription_id: int, base_url: str | None) -> None:
    """Send a test message to one subscription now (exit 1 with the reason if it does not arrive)."""
    from versioner.notify.subscribe import try_target

    result = try_target(ctx.store, subscription_id, base_url)
    click.echo(f"test message sent to {printable(result['target'])}")


def send_after_run(ctx: Context) -> None:
    """At the end of an ingest or poll: send what is due; a failure is kept for the next run, and said."""
    from versioner.notify.outbox import send

    try:
        report = send(ctx.store, os.environ.get("VERSIONER_BASE_URL") or None)
    except VersionerError as err:  # the run's own work is stored: its messages wait for `notify send`
        click.echo(f"warning: notifications not sent now: {printable(err)}", err=True)
        return
    for failure in report.failures:
        click.echo(
            f"warning: notification to subscription {failure['subscription']} not sent, retried later: "
            f"{printable(failure['error'])}",
            err=True,
        )
