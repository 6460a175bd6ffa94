"""`versioner serve`: the web UI under waitress."""

import click

from versioner.cli.base import Context, cli, pass_context


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

    from versioner.web import create_app

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
