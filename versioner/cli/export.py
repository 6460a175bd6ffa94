"""`versioner export`: the archive in formats other tools read; each format's module adds its subcommand."""

from versioner.cli.base import cli


@cli.group()
def export() -> None:
    """Write the archive in a format other tools read (WARC for web archives, edits as research data)."""
