"""`versioner serve`: the web UI under waitress."""

import os

import click

from versioner.cli.base import Context, cli, pass_context

CONNECTION_LIMIT = 1000  # open connections at once; a reverse proxy in front is the real shield
IDLE_SECONDS = 15  # a connection that sends nothing for this long is closed


@cli.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface)."
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Requests answered at the same time.",
)
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

    from versioner.web import DEFAULT_HOSTS, create_app, host_list
    from versioner.web.upload import MAX_BODY_BYTES

    config = {"DATABASE": ctx.db_path}
    if not host_list(os.environ.get("VERSIONER_ALLOWED_HOSTS", "")):
        listening = f"[{host}]" if ":" in host else host
        config["ALLOWED_HOSTS"] = [*DEFAULT_HOSTS, listening.lower()]
    app = create_app(config)
    proxy = (
        {
            "trusted_proxy": trusted_proxy,
            "trusted_proxy_headers": "x-forwarded-proto x-forwarded-host x-forwarded-for x-forwarded-port",
        }
        if trusted_proxy
        else {}
    )
    _room_for_connections()
    click.echo(f"versioner on http://{host}:{port}/ (database {ctx.where})", err=True)
    if host in ("0.0.0.0", "::") and not app.config["BASE_URL"] and "ALLOWED_HOSTS" in config:
        click.echo(
            "Requests naming another host than localhost get 400: set VERSIONER_BASE_URL or "
            "VERSIONER_ALLOWED_HOSTS to the names this server is reached by.",
            err=True,
        )
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="versioner",
        # A body over the upload cap is refused by waitress (413) before it is read to its end.
        max_request_body_size=MAX_BODY_BYTES,
        # Idle or slow clients must not hold every connection (a slowloris): many connections, polled
        # (select() stops at 1024 descriptors), and the idle ones closed within seconds.
        connection_limit=CONNECTION_LIMIT,
        asyncore_use_poll=True,
        channel_timeout=IDLE_SECONDS,
        cleanup_interval=2,
        **proxy,
    )


def _room_for_connections() -> None:
    """Raise the soft limit on open files to what CONNECTION_LIMIT needs, where the hard limit allows."""
    try:
        import resource
    except ImportError:  # Windows: no such limit to raise
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = CONNECTION_LIMIT + 64  # the database, the log, waitress' own sockets
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(
            resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard)
        )
