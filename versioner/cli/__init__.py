"""The `versioner` command: thin click commands over the library; each parses, calls, prints.

One module per command group; importing each registers its commands on the group.
"""

from versioner.cli import check, export, ingest, read, serve, watch  # noqa: F401  (they register their commands)
from versioner.cli import blame, export_edits  # noqa: F401  (#18: blame, export jsonl and csv)
from versioner.cli import notify  # noqa: F401  (notify add, list, remove, send, test)
from versioner.cli import export_warc  # noqa: F401  (#16: export warc)
from versioner.cli import captures  # noqa: F401  (#13: captures, reextract)
from versioner.cli import aliases  # noqa: F401  (#17: aliases, merge, split)
from versioner.cli.base import cli, main

__all__ = ["cli", "main"]
