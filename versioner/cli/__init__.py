"""The `versioner` command: thin click commands over the library; each parses, calls, prints.

One module per command group; importing each registers its commands on the group.
"""

# Each module registers its commands on the group (#13 captures, #16 export warc, #17 aliases,
# #18 blame and export jsonl/csv, notify).
from versioner.cli import (  # noqa: F401
    aliases,
    blame,
    captures,
    check,
    copy,
    export,
    export_edits,
    export_warc,
    ingest,
    notify,
    read,
    serve,
    watch,
)
from versioner.cli.base import cli, main

__all__ = ["cli", "main"]
