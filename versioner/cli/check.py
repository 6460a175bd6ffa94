"""`versioner check`: is the archive sound? SQLite's checks and versioner's own invariants."""

import sys

import click

from versioner.cli.base import Context, cli, emit_json, pass_context


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@pass_context
def check(ctx: Context, as_json: bool) -> None:
    """Check the database: pages SQLite cannot read, rows out of step, texts and raw captures that no
    longer decode to their hash. Reads only. Exit status 1 when anything is wrong."""
    from versioner.store.integrity import check as check_store

    progress = sys.stderr.isatty() and not as_json
    problems = check_store(
        ctx.store, lambda step: click.echo(f"checking {step}…", err=True) if progress else None
    )
    if as_json:
        emit_json({"sound": not problems, "problems": [p.to_json() for p in problems]})
    elif not problems:
        click.echo(f"{ctx.where}: sound")
    else:
        for problem in problems:
            example = f" (e.g. {problem.example})" if problem.example else ""
            click.echo(f"{problem.what}: {problem.count}{example}")
    if problems:
        sys.exit(1)
