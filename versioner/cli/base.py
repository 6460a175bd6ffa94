"""The `versioner` command group: the database option, the error handling, JSON output."""

import json
import sys

import click

from versioner.errors import VersionerError
from versioner.present import printable

# Names that SQLite opens as a database that lives in memory only: everything written would be lost.
IN_MEMORY_NAMES = ("", ":memory:")


class Context:
    """What every command needs: where the database is, opened on first use."""

    def __init__(self, db_path: str):
        self.db_path = db_path
        self._store = None

    @property
    def where(self) -> str:
        """The database for messages: a PostgreSQL URL without its password."""
        from versioner.store.postgres import safe_location

        return safe_location(self.db_path)

    @property
    def store(self):
        if self._store is None:
            from versioner.store import Store

            self._store = Store(self.db_path)
        return self._store


pass_context = click.make_pass_decorator(Context)

# What a terminal would act on rather than show: C0 and C1 controls (ESC starts an escape sequence),
# DEL, the line and paragraph separators and the bidirectional overrides that reorder what follows.


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    envvar="VERSIONER_DB",
    default="versioner.db",
    show_default=True,
    help="SQLite database file, or a postgresql://user@host:port/dbname URL (env VERSIONER_DB).",
)
@click.version_option(package_name="versioner")
@click.pass_context
def cli(ctx: click.Context, db_path: str) -> None:
    """Keep every copy of an article, store a version when its text really changed, show what changed."""
    if db_path.strip() in IN_MEMORY_NAMES:
        raise VersionerError(
            f"--db {db_path!r} would be a database in memory, gone when the command ends: "
            "give the path of a database file"
        )
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
        click.echo(f"Error: {printable(err)}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


def emit_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))
